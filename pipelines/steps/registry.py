"""The MLflow model registry: find the champion, compare, register and promote.

Promotion is an alias (`champion` by default) on a registered model version. Each version
carries the URI of a `serving/model.joblib` copy: the layout KServe's sklearn runtime loads.
"""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np

from pipelines.steps import model as model_lib

SERVING_URI_TAG = "kfstack.serving_uri"


@dataclass(frozen=True)
class Champion:
    """The model version an alias points to."""

    version: str
    serving_uri: str
    run_id: str


@dataclass(frozen=True)
class Comparison:
    """The outcome of comparing a candidate with the champion on the same test split."""

    promote: bool
    metric: str
    direction: str
    candidate_value: float
    champion_version: str
    champion_value: float | None
    reason: str

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def client(registry_uri: str) -> Any:
    """An MlflowClient for `registry_uri` (tracking and registry share one store)."""
    import mlflow
    from mlflow.tracking import MlflowClient

    mlflow.set_tracking_uri(registry_uri)
    mlflow.set_registry_uri(registry_uri)
    return MlflowClient(tracking_uri=registry_uri, registry_uri=registry_uri)


def local_artifact_root(registry_uri: str) -> str | None:
    """For a sqlite store, artifacts live beside the database (not in ./mlruns of the cwd)."""
    if registry_uri.startswith("sqlite:///"):
        return (Path(registry_uri.removeprefix("sqlite:///")).parent / "artifacts").as_uri()
    return None


def find_champion(registry_uri: str, model_name: str, alias: str) -> Champion | None:
    """The version `alias` points to, or None when the model or alias does not exist yet."""
    from mlflow.exceptions import MlflowException

    mlflow_client = client(registry_uri)
    try:
        version = mlflow_client.get_model_version_by_alias(model_name, alias)
    except MlflowException as error:
        if error.error_code == "RESOURCE_DOES_NOT_EXIST":
            return None
        raise
    return Champion(
        version=str(version.version),
        serving_uri=version.tags.get(SERVING_URI_TAG, ""),
        run_id=version.run_id or "",
    )


def load_serving_model(serving_uri: str) -> Any:
    """Download a version's `serving/` folder and load its model.joblib."""
    import mlflow

    with tempfile.TemporaryDirectory() as tmp:
        local = mlflow.artifacts.download_artifacts(artifact_uri=serving_uri, dst_path=tmp)
        return model_lib.load_model(str(Path(local) / "model.joblib"))


def compare_with_champion(
    registry_uri: str,
    model_name: str,
    alias: str,
    metric: str,
    direction: str,
    candidate_metrics: dict[str, float],
    x_test: np.ndarray,
    y_test: np.ndarray,
) -> Comparison:
    """Re-score the champion on the candidate's test split and decide on promotion.

    Re-scoring keeps the comparison fair when the data changes between runs (retraining).
    """
    if metric not in model_lib.METRIC_DIRECTIONS:
        known = ", ".join(model_lib.METRIC_DIRECTIONS)
        raise ValueError(f"unknown metric {metric!r}; evaluate produces: {known}")
    candidate = candidate_metrics[metric]
    champion = find_champion(registry_uri, model_name, alias)
    if champion is None:
        return Comparison(True, metric, direction, candidate, "", None,
                          f"no {alias!r} version of {model_name!r} yet")
    champion_model = load_serving_model(champion.serving_uri)
    champion_value = model_lib.evaluate_model(champion_model, x_test, y_test)[metric]
    better = model_lib.is_better(candidate, champion_value, direction)
    verdict = "better than" if better else "not better than"
    reason = (f"candidate {metric}={candidate:.4f} is {verdict} champion v{champion.version} "
              f"{metric}={champion_value:.4f} ({direction})")
    return Comparison(better, metric, direction, candidate, champion.version, champion_value,
                      reason)


def register_and_promote(
    registry_uri: str,
    experiment_name: str,
    model_name: str,
    alias: str,
    model_path: str,
    metrics: dict[str, float],
    params: dict[str, Any],
) -> Champion:
    """Log the model in a run, register it as a new version and point `alias` at it.

    The version's source is the run's `serving/` folder (model.joblib): exactly what the
    InferenceService's storageUri points to, so the registry and KServe serve the same bytes.
    """
    import mlflow
    from mlflow.exceptions import MlflowException

    mlflow_client = client(registry_uri)
    experiment = mlflow_client.get_experiment_by_name(experiment_name)
    experiment_id = (
        experiment.experiment_id if experiment else mlflow_client.create_experiment(
            experiment_name, artifact_location=local_artifact_root(registry_uri))
    )
    with mlflow.start_run(experiment_id=experiment_id) as run:
        mlflow.log_params(params)
        mlflow.log_metrics(metrics)
        with tempfile.TemporaryDirectory() as tmp:
            serving_file = Path(tmp) / "model.joblib"
            shutil.copyfile(model_path, serving_file)
            mlflow.log_artifact(str(serving_file), artifact_path="serving")
        serving_uri = f"{run.info.artifact_uri}/serving"
    try:
        mlflow_client.get_registered_model(model_name)
    except MlflowException:
        mlflow_client.create_registered_model(model_name)
    version = mlflow_client.create_model_version(
        model_name, source=serving_uri, run_id=run.info.run_id,
        tags={SERVING_URI_TAG: serving_uri},
    )
    mlflow_client.set_registered_model_alias(model_name, alias, version.version)
    return Champion(version=str(version.version), serving_uri=serving_uri,
                    run_id=run.info.run_id)
