"""The kfp v2 components: thin wrappers that move artifacts in and out of `pipelines.steps`.

The code of each component runs in RUNTIME_IMAGE on a cluster (an image with kfstack and its
dependencies installed, see pipelines/image/Dockerfile) and in the current Python environment
under `kfp.local`. `install_kfp_package=False` keeps pip out of the command, so local runs
download nothing. No `from __future__ import annotations` here: kfp reads real annotations.
"""

from collections.abc import Callable
from typing import Any, NamedTuple

from kfp import dsl
from kfp.dsl import Artifact, Dataset, Input, Metrics, Model, Output

RUNTIME_IMAGE = "ghcr.io/kfstack/pipelines-runtime:0.1.0"


def _component(func: Callable[..., Any]) -> Any:
    return dsl.component(func, base_image=RUNTIME_IMAGE, install_kfp_package=False)


@_component
def ingest(
    dataset_uri: str,
    test_size: float,
    seed: int,
    golden_set_size: int,
    dataset: Output[Dataset],
    golden_set: Output[Dataset],
):
    """Load the dataset, split it into train/test and keep a golden set for the endpoint test."""
    from pipelines.steps import data

    sizes = data.ingest_table(data.load_table(dataset_uri), dataset.path, golden_set.path,
                              test_size, seed, golden_set_size)
    dataset.metadata.update({"uri": dataset_uri, **sizes})
    golden_set.metadata["rows"] = sizes["golden_rows"]
    print(f"ingested {dataset_uri}: {sizes}")


@_component
def ingest_window(
    dataset_uri: str,
    window_days: int,
    window_end: str,
    test_size: float,
    seed: int,
    golden_set_size: int,
    dataset: Output[Dataset],
    golden_set: Output[Dataset],
):
    """Like ingest, restricted to the rows of the last `window_days` days before `window_end`."""
    from pipelines.steps import data

    table, note = data.time_window(data.load_table(dataset_uri), window_days, window_end)
    sizes = data.ingest_table(table, dataset.path, golden_set.path, test_size, seed,
                              golden_set_size)
    dataset.metadata.update({"uri": dataset_uri, "window": note, **sizes})
    golden_set.metadata["rows"] = sizes["golden_rows"]
    print(f"ingested {dataset_uri} ({note}): {sizes}")


@_component
def train(
    dataset: Input[Dataset],
    hidden_layers: str,
    max_iter: int,
    learning_rate_init: float,
    alpha: float,
    seed: int,
    model: Output[Model],
):
    """Train the MLP classifier on the train split."""
    from pipelines.steps import data
    from pipelines.steps import model as model_lib

    splits = data.load_splits(dataset.path)
    fitted = model_lib.train_model(
        splits["x_train"], splits["y_train"], model_lib.parse_hidden_layers(hidden_layers),
        max_iter, learning_rate_init, alpha, seed,
    )
    model_lib.save_model(fitted, model.path)
    model.metadata.update({"framework": "scikit-learn", "hidden_layers": hidden_layers,
                           "max_iter": max_iter, "learning_rate_init": learning_rate_init,
                           "alpha": alpha, "seed": seed})
    print(f"trained MLP {hidden_layers} for at most {max_iter} iterations")


@_component
def evaluate(dataset: Input[Dataset], model: Input[Model], metrics: Output[Metrics]):
    """Score the model on the test split: accuracy, macro F1/precision/recall, log loss."""
    from pipelines.steps import data
    from pipelines.steps import model as model_lib

    splits = data.load_splits(dataset.path)
    scores = model_lib.evaluate_model(model_lib.load_model(model.path), splits["x_test"],
                                      splits["y_test"])
    for name, value in scores.items():
        metrics.log_metric(name, value)
    print(f"metrics: {scores}")


@_component
def compare_with_champion(
    dataset: Input[Dataset],
    metrics: Input[Metrics],
    registry_uri: str,
    model_name: str,
    alias: str,
    metric: str,
    direction: str,
    comparison: Output[Artifact],
) -> bool:
    """Decide whether the candidate beats the registry's current champion (none: it does)."""
    import json

    from pipelines.steps import data, registry

    splits = data.load_splits(dataset.path)
    candidate = {k: float(v) for k, v in metrics.metadata.items()}
    result = registry.compare_with_champion(registry_uri, model_name, alias, metric, direction,
                                            candidate, splits["x_test"], splits["y_test"])
    with open(comparison.path, "w") as handle:
        json.dump(result.as_dict(), handle)
    comparison.metadata.update(result.as_dict())
    print(result.reason)
    return result.promote


@_component
def register_and_promote(
    model: Input[Model],
    metrics: Input[Metrics],
    registry_uri: str,
    experiment_name: str,
    model_name: str,
    alias: str,
) -> NamedTuple("Registered", version=str, storage_uri=str):  # type: ignore[valid-type]
    """Register the candidate as a new model version and point the alias at it."""
    from pipelines.steps import registry

    params = {k: v for k, v in model.metadata.items() if k != "framework"}
    champion = registry.register_and_promote(
        registry_uri, experiment_name, model_name, alias, model.path,
        {k: float(v) for k, v in metrics.metadata.items()}, params,
    )
    print(f"registered {model_name} v{champion.version}; alias {alias!r} -> v{champion.version}")
    class Registered(NamedTuple):
        version: str
        storage_uri: str

    return Registered(champion.version, champion.serving_uri)


@_component
def deploy(
    model_name: str,
    model_version: str,
    storage_uri: str,
    namespace: str,
    protocol: str,
    dry_run: bool,
    endpoint_url: str,
    service_account: str,
    deployment_mode: str,
    canary_traffic_percent: int,
    manifest: Output[Artifact],
) -> str:
    """Create or update the model's KServe InferenceService; returns the endpoint base URL.

    With `dry_run` the manifest is only validated (CRD schema when available), not applied.
    """
    import json

    from pipelines.steps import serving

    name = serving.service_name(model_name)
    body = serving.inference_service(
        name, namespace, storage_uri, model_version, protocol, service_account=service_account or None,
        deployment_mode=deployment_mode, canary_traffic_percent=canary_traffic_percent,
    )
    with open(manifest.path, "w") as handle:
        json.dump(body, handle, indent=2, sort_keys=True)
    if dry_run:
        check = serving.validate_manifest(body, serving.crd_schema_path())
        manifest.metadata.update({"dry_run": True, "validation": check.method,
                                  "errors": list(check.errors)})
        print(f"dry run: validated with {check.method}")
        if not check.ok:
            raise ValueError("invalid InferenceService: " + "; ".join(check.errors))
    else:
        serving.apply_inference_service(body)
        manifest.metadata["dry_run"] = False
    return endpoint_url or serving.cluster_endpoint(name, namespace)


@_component
def integration_test(
    endpoint_url: str,
    model_name: str,
    protocol: str,
    golden_set: Input[Dataset],
    min_accuracy: float,
    timeout_seconds: float,
    results: Output[Metrics],
) -> float:
    """Send the golden set to the endpoint; fail when accuracy is below `min_accuracy`."""
    from pipelines.steps import data, endpoint, serving

    instances, labels = data.read_golden_set(golden_set.path)
    predictions = endpoint.predict(endpoint_url, serving.service_name(model_name), protocol,
                                   instances, timeout_seconds)
    check = endpoint.check_golden_set(predictions, labels, min_accuracy)
    results.log_metric("endpoint_accuracy", check.accuracy)
    results.log_metric("golden_rows", check.total)
    print(f"endpoint {endpoint_url}: {check.correct}/{check.total} correct "
          f"({check.accuracy:.4f}, threshold {min_accuracy})")
    if not check.passed:
        raise RuntimeError(f"endpoint accuracy {check.accuracy:.4f} is below {min_accuracy}")
    return check.accuracy
