"""The model: an MLP classifier behind a scaler; training, persistence and metrics."""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

# Metric name -> the direction in which it improves. Evaluate produces exactly these.
METRIC_DIRECTIONS: dict[str, str] = {
    "accuracy": "maximize",
    "f1_macro": "maximize",
    "precision_macro": "maximize",
    "recall_macro": "maximize",
    "log_loss": "minimize",
}
DIRECTIONS = ("maximize", "minimize")


def parse_hidden_layers(text: str) -> tuple[int, ...]:
    """Parse "256,64" into (256, 64); every layer needs at least one unit."""
    try:
        layers = tuple(int(part) for part in text.split(",") if part.strip())
    except ValueError:
        raise ValueError(f"hidden_layers must be comma-separated integers, got {text!r}") from None
    if not layers or any(units < 1 for units in layers):
        raise ValueError(f"hidden_layers needs one or more positive sizes, got {text!r}")
    return layers


def train_model(
    x_train: np.ndarray,
    y_train: np.ndarray,
    hidden_layers: tuple[int, ...],
    max_iter: int,
    learning_rate_init: float,
    alpha: float,
    seed: int,
) -> Any:
    """Fit StandardScaler + MLPClassifier; convergence warnings are expected for short runs."""
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.neural_network import MLPClassifier
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler
    from threadpoolctl import threadpool_limits

    model = make_pipeline(
        StandardScaler(),
        MLPClassifier(
            hidden_layer_sizes=hidden_layers,
            max_iter=max_iter,
            learning_rate_init=learning_rate_init,
            alpha=alpha,
            random_state=seed,
        ),
    )
    # One BLAS thread: for layers this small, threading costs more than it gains
    # (digits: ~1 s single-threaded vs 7-15 s with two threads on a busy 2-core machine).
    with warnings.catch_warnings(), threadpool_limits(limits=1, user_api="blas"):
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(x_train, y_train)
    return model


def save_model(model: Any, path: str) -> None:
    """Persist with joblib: the format KServe's sklearn runtime loads (`model.joblib`)."""
    import joblib

    joblib.dump(model, path)


def load_model(path: str) -> Any:
    """Load a model written by `save_model` (trusted: produced by this pipeline)."""
    import joblib

    return joblib.load(path)


def evaluate_model(model: Any, x_test: np.ndarray, y_test: np.ndarray) -> dict[str, float]:
    """Every metric in METRIC_DIRECTIONS on the test split."""
    from sklearn import metrics

    predicted = model.predict(x_test)
    probabilities = model.predict_proba(x_test)
    return {
        "accuracy": float(metrics.accuracy_score(y_test, predicted)),
        "f1_macro": float(metrics.f1_score(y_test, predicted, average="macro", zero_division=0)),
        "precision_macro": float(
            metrics.precision_score(y_test, predicted, average="macro", zero_division=0)
        ),
        "recall_macro": float(
            metrics.recall_score(y_test, predicted, average="macro", zero_division=0)
        ),
        "log_loss": float(metrics.log_loss(y_test, probabilities, labels=model.classes_)),
    }


def is_better(candidate: float, champion: float, direction: str) -> bool:
    """Strict improvement in `direction`; a tie keeps the champion."""
    if direction not in DIRECTIONS:
        raise ValueError(f"direction must be one of {DIRECTIONS}, got {direction!r}")
    return candidate > champion if direction == "maximize" else candidate < champion
