"""The MLflow model registry: find the champion, compare fairly, register a challenger, promote.

A candidate is registered as a new version with the `challenger` alias; only after its endpoint
test passes does `champion` move to it. Each version's source is its storage URI in the model
store (pvc:// or s3://): exactly what the InferenceService loads. Every version records its
dataset version (MLflow dataset inputs), the code version and typed parameters.
"""

from __future__ import annotations

import json
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np

from pipelines.steps import model as model_lib
from pipelines.steps import model_store

STORAGE_URI_TAG = "kfstack.storage_uri"
DATASET_VERSION_TAG = "kfstack.dataset_version"
CODE_VERSION_TAG = "kfstack.code_version"
TRAIN_BUCKETS_TAG = "kfstack.train_buckets"
"""JSON [low, high): the row buckets the version trained on (see data.row_buckets)."""
PARAMS_TAG = "kfstack.params"
"""JSON {name: {"value": v, "type": "int" | "float" | "str" | "bool"}}."""


@dataclass(frozen=True)
class RegisteredVersion:
    """A registered model version and what the registry records about it."""

    version: str
    storage_uri: str
    run_id: str
    dataset_version: str = ""
    train_buckets: tuple[float, float] | None = None


@dataclass(frozen=True)
class Comparison:
    """The quality gate: the floor on the candidate, then candidate vs champion on shared rows."""

    promote: bool
    below_floor: bool
    metric: str
    direction: str
    floor: float
    candidate_value: float
    champion_version: str
    champion_value: float | None
    candidate_on_shared_rows: float | None
    compared_rows: int
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


def find_version(registry_uri: str, model_name: str, alias: str) -> RegisteredVersion | None:
    """The version `alias` points to, or None when the model or alias does not exist yet."""
    from mlflow.exceptions import MlflowException

    mlflow_client = client(registry_uri)
    try:
        version = mlflow_client.get_model_version_by_alias(model_name, alias)
    except MlflowException as error:
        # No such model: RESOURCE_DOES_NOT_EXIST; a model without that alias: the store says
        # INVALID_PARAMETER_VALUE "Registered model alias ... not found".
        if error.error_code == "RESOURCE_DOES_NOT_EXIST" or (
                error.error_code == "INVALID_PARAMETER_VALUE" and "not found" in error.message):
            return None
        raise
    buckets = version.tags.get(TRAIN_BUCKETS_TAG)
    low_high = tuple(float(b) for b in json.loads(buckets)) if buckets else None
    return RegisteredVersion(
        version=str(version.version),
        storage_uri=version.tags.get(STORAGE_URI_TAG, version.source or ""),
        run_id=version.run_id or "",
        dataset_version=version.tags.get(DATASET_VERSION_TAG, ""),
        train_buckets=(low_high[0], low_high[1]) if low_high else None,
    )


find_champion = find_version


def meets_floor(value: float, floor: float, direction: str) -> bool:
    """At or above the floor for a maximized metric; at or below it for a minimized one."""
    return value >= floor if direction == "maximize" else value <= floor


def shared_rows(bucket_test: np.ndarray, champion: RegisteredVersion) -> np.ndarray:
    """Mask of the evaluation rows the champion did not train on (all rows when it has no range)."""
    if champion.train_buckets is None:
        return np.ones(len(bucket_test), dtype=bool)
    low, high = champion.train_buckets
    return ~((bucket_test >= low) & (bucket_test < high))


def compare_with_champion(
    registry_uri: str,
    model_name: str,
    alias: str,
    metric: str,
    direction: str,
    floor: float,
    candidate_model: Any,
    candidate_metrics: dict[str, float],
    splits: dict[str, np.ndarray],
    mount_path: str | None = None,
) -> Comparison:
    """The gate's quality half: the floor, then a comparison neither model trained on.

    Both models are scored on the candidate's evaluation rows minus those the champion trained on
    (its recorded bucket range), so a champion never wins on rows it memorized; a tie keeps it.
    `candidate_model` may be a zero-argument loader, called only when there is a champion.
    """
    if metric not in model_lib.METRIC_DIRECTIONS:
        known = ", ".join(model_lib.METRIC_DIRECTIONS)
        raise ValueError(f"unknown metric {metric!r}; evaluate produces: {known}")
    candidate = candidate_metrics[metric]

    def result(promote: bool, reason: str, champion_version: str = "",
               champion_value: float | None = None, on_shared: float | None = None,
               rows: int = 0, below: bool = False) -> Comparison:
        return Comparison(promote, below, metric, direction, floor, candidate, champion_version,
                          champion_value, on_shared, rows, reason)

    bound = "floor" if direction == "maximize" else "ceiling"
    if not meets_floor(candidate, floor, direction):
        return result(False, f"candidate {metric}={candidate:.4f} misses the quality {bound} "
                      f"{floor} ({direction}): never champion", below=True)
    champion = find_version(registry_uri, model_name, alias)
    if champion is None:
        return result(True, f"candidate {metric}={candidate:.4f} meets the {bound} {floor}; "
                      f"no {alias!r} version of {model_name!r} yet")
    keep = shared_rows(splits["bucket_test"], champion)
    rows = int(keep.sum())
    if rows == 0:
        return result(False, f"no evaluation row is unseen by champion v{champion.version}: "
                      "cannot compare fairly, champion kept", champion.version)
    x, y = splits["x_test"][keep], splits["y_test"][keep]
    champion_model = model_store.read_model(champion.storage_uri, mount_path)
    champion_value = model_lib.evaluate_model(champion_model, x, y)[metric]
    if callable(candidate_model) and not hasattr(candidate_model, "predict"):
        candidate_model = candidate_model()
    on_shared = model_lib.evaluate_model(candidate_model, x, y)[metric]
    better = model_lib.is_better(on_shared, champion_value, direction)
    verdict = "better than" if better else "not better than"
    reason = (f"candidate {metric}={on_shared:.4f} is {verdict} champion v{champion.version} "
              f"{metric}={champion_value:.4f} on {rows} evaluation rows neither trained on "
              f"({direction})")
    return result(better, reason, champion.version, champion_value, on_shared, rows)


def typed_params(params: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """{name: {"value": v, "type": "int"}}: MLflow keeps params as strings; this keeps the type."""
    return {name: {"value": value, "type": type(value).__name__} for name, value in params.items()}


def register_challenger(
    registry_uri: str,
    experiment_name: str,
    model_name: str,
    alias: str,
    model_path: str,
    metrics: dict[str, float],
    params: dict[str, Any],
    dataset: dict[str, Any],
    splits: dict[str, np.ndarray],
    store_uri: str,
    mount_path: str | None,
    code_version: str,
) -> RegisteredVersion:
    """Write the model to the store, log a run with its lineage, register it under `alias`.

    `dataset`: {"uri", "dataset_version", "train_bucket_low", "train_bucket_high"} from ingest.
    The training and evaluation rows are logged as MLflow dataset inputs.
    """
    import mlflow
    from mlflow.data.numpy_dataset import from_numpy
    from mlflow.exceptions import MlflowException

    mlflow_client = client(registry_uri)
    experiment = mlflow_client.get_experiment_by_name(experiment_name)
    experiment_id = (
        experiment.experiment_id if experiment else mlflow_client.create_experiment(
            experiment_name, artifact_location=local_artifact_root(registry_uri))
    )
    version_tag = str(dataset["dataset_version"])
    buckets = json.dumps([float(dataset["train_bucket_low"]), float(dataset["train_bucket_high"])])
    typed = typed_params(params)
    lineage = {DATASET_VERSION_TAG: version_tag, CODE_VERSION_TAG: code_version,
               TRAIN_BUCKETS_TAG: buckets, PARAMS_TAG: json.dumps(typed, sort_keys=True)}
    with mlflow.start_run(experiment_id=experiment_id) as run:
        storage_uri = model_store.version_uri(store_uri, model_name, run.info.run_id,
                                               run.info.artifact_uri)
        model_store.write_model(model_path, storage_uri, mount_path)
        mlflow.log_params(params)
        mlflow.log_metrics(metrics)
        mlflow.set_tags({**lineage, STORAGE_URI_TAG: storage_uri,
                         "mlflow.source.git.commit": code_version})
        uri = str(dataset.get("uri", ""))
        # MLflow resolves file paths as sources, not sklearn:// (then the run records the code).
        source = {"source": uri} if "://" not in uri or uri.startswith("file://") else {}
        for context, x, y in (("training", splits["x_train"], splits["y_train"]),
                              ("evaluation", splits["x_test"], splits["y_test"])):
            mlflow.log_input(from_numpy(
                x, targets=y, name=f"{version_tag[:19]}-{context}", **source),
                context=context, tags={"kfstack.dataset_uri": uri,
                                       DATASET_VERSION_TAG: version_tag})
        with tempfile.TemporaryDirectory() as tmp:
            (Path(tmp) / "params.json").write_text(json.dumps(typed, indent=2, sort_keys=True))
            mlflow.log_artifact(str(Path(tmp) / "params.json"))
    try:
        mlflow_client.get_registered_model(model_name)
    except MlflowException:
        mlflow_client.create_registered_model(model_name)
    version = mlflow_client.create_model_version(
        model_name, source=storage_uri, run_id=run.info.run_id,
        tags={**lineage, STORAGE_URI_TAG: storage_uri},
    )
    mlflow_client.set_registered_model_alias(model_name, alias, version.version)
    return RegisteredVersion(str(version.version), storage_uri, run.info.run_id, version_tag,
                             (float(dataset["train_bucket_low"]), float(dataset["train_bucket_high"])))


def promote(registry_uri: str, model_name: str, version: str, champion_alias: str,
            challenger_alias: str) -> str | None:
    """Point `champion_alias` at `version` and drop `challenger_alias`; returns the old champion."""
    mlflow_client = client(registry_uri)
    previous = find_version(registry_uri, model_name, champion_alias)
    mlflow_client.set_registered_model_alias(model_name, champion_alias, version)
    current = find_version(registry_uri, model_name, challenger_alias)
    if current is not None and current.version == version:
        mlflow_client.delete_registered_model_alias(model_name, challenger_alias)
    return previous.version if previous else None
