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
def fingerprint_dataset(dataset_uri: str) -> str:
    """The data's version (file content hash, or bundled dataset + scikit-learn version).

    Never cached: ingest takes it as an input, so ingest's cache key follows the data.
    """
    from pipelines.steps import data

    version = data.source_fingerprint(dataset_uri)
    print(f"{dataset_uri}: {version}")
    return version


@_component
def ingest(
    dataset_uri: str,
    source_version: str,
    test_size: float,
    golden_set_size: int,
    dataset: Output[Dataset],
    golden_set: Output[Dataset],
):
    """Split the dataset by row content into training, evaluation and golden (endpoint test) rows."""
    from pipelines.steps import data

    sizes = data.ingest_table(data.load_table(dataset_uri), dataset.path, golden_set.path,
                              test_size, golden_set_size)
    dataset.metadata.update({"uri": dataset_uri, "source_version": source_version, **sizes})
    golden_set.metadata["rows"] = sizes["golden_rows"]
    print(f"ingested {dataset_uri}: {sizes}")


@_component
def ingest_window(
    dataset_uri: str,
    window_days: int,
    window_end: str,
    test_size: float,
    golden_set_size: int,
    dataset: Output[Dataset],
    golden_set: Output[Dataset],
):
    """Like ingest, restricted to the rows of the last `window_days` days before `window_end`."""
    from pipelines.steps import data

    table, note = data.time_window(data.load_table(dataset_uri), window_days, window_end)
    sizes = data.ingest_table(table, dataset.path, golden_set.path, test_size, golden_set_size)
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
    model: Input[Model],
    metrics: Input[Metrics],
    registry_uri: str,
    model_name: str,
    alias: str,
    metric: str,
    direction: str,
    quality_floor: float,
    models_mount_path: str,
    comparison: Output[Artifact],
) -> NamedTuple("Decision", promote=bool, below_floor=bool):  # type: ignore[valid-type]
    """The quality gate: the floor, then the champion on evaluation rows neither trained on."""
    import json

    from pipelines.steps import data, registry
    from pipelines.steps import model as model_lib

    result = registry.compare_with_champion(
        registry_uri, model_name, alias, metric, direction, quality_floor,
        lambda: model_lib.load_model(model.path),
        {k: float(v) for k, v in metrics.metadata.items()},
        data.load_splits(dataset.path), models_mount_path or None)
    with open(comparison.path, "w") as handle:
        json.dump(result.as_dict(), handle)
    comparison.metadata.update(result.as_dict())
    print(result.reason)
    class Decision(NamedTuple):
        promote: bool
        below_floor: bool

    return Decision(result.promote, result.below_floor)


@_component
def reject_candidate(comparison: Input[Artifact]):
    """Fail the run: the candidate missed the quality floor (nothing registered or deployed)."""
    raise RuntimeError(f"quality gate: {comparison.metadata['reason']}")


@_component
def register_challenger(
    dataset: Input[Dataset],
    model: Input[Model],
    metrics: Input[Metrics],
    registry_uri: str,
    experiment_name: str,
    model_name: str,
    alias: str,
    model_store_uri: str,
    models_mount_path: str,
    hidden_layers: str,
    max_iter: int,
    learning_rate_init: float,
    alpha: float,
    seed: int,
    test_size: float,
    golden_set_size: int,
) -> NamedTuple("Registered", version=str, storage_uri=str):  # type: ignore[valid-type]
    """Write the model to the model store and register it as a new version under `alias`.

    The parameters arrive as typed inputs (artifact metadata would turn ints into floats).
    """
    from pipelines.steps import data, registry
    from pipelines.steps.code_version import code_version

    params = {"dataset_uri": dataset.metadata["uri"], "hidden_layers": hidden_layers,
              "max_iter": max_iter, "learning_rate_init": learning_rate_init, "alpha": alpha,
              "seed": seed, "test_size": test_size, "golden_set_size": golden_set_size}
    registered = registry.register_challenger(
        registry_uri, experiment_name, model_name, alias, model.path,
        {k: float(v) for k, v in metrics.metadata.items()}, params, dict(dataset.metadata),
        data.load_splits(dataset.path), model_store_uri, models_mount_path or None, code_version(),
    )
    print(f"registered {model_name} v{registered.version} at {registered.storage_uri}; "
          f"alias {alias!r} -> v{registered.version}")
    class Registered(NamedTuple):
        version: str
        storage_uri: str

    return Registered(registered.version, registered.storage_uri)


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
    local_apply_dir: str,
    rollout_timeout_seconds: int,
    manifest: Output[Artifact],
) -> NamedTuple("Deployed", endpoint_url=str, service=str):  # type: ignore[valid-type]
    """Deploy the challenger in its own InferenceService beside the champion's.

    With `dry_run` the manifest is only validated (CRD schema when available) and, for local runs,
    written to `local_apply_dir` where the loopback endpoint serves it.
    """
    import json

    from pipelines.steps import serving

    name = serving.challenger_service_name(model_name)
    body = serving.inference_service(
        name, namespace, storage_uri, model_version, protocol, service_account=service_account or None,
        deployment_mode=deployment_mode)
    with open(manifest.path, "w") as handle:
        json.dump(body, handle, indent=2, sort_keys=True)
    manifest.metadata.update(serving.apply_or_validate(body, dry_run, local_apply_dir,
                                                       rollout_timeout_seconds))
    class Deployed(NamedTuple):
        endpoint_url: str
        service: str

    return Deployed(endpoint_url or serving.cluster_endpoint(name, namespace), name)


@_component
def integration_test(
    endpoint_url: str,
    service: str,
    protocol: str,
    golden_set: Input[Dataset],
    min_accuracy: float,
    timeout_seconds: float,
    results: Output[Metrics],
) -> float:
    """Send the golden set to the challenger's endpoint; fail below `min_accuracy`."""
    from pipelines.steps import data, endpoint

    instances, labels = data.read_golden_set(golden_set.path)
    results.log_metric("golden_rows", len(labels))
    try:
        predictions = endpoint.predict(endpoint_url, service, protocol, instances, timeout_seconds)
    except OSError as error:  # urllib's HTTPError/URLError: the endpoint did not answer
        raise RuntimeError(f"endpoint test: {service} at {endpoint_url} did not answer: "
                           f"{endpoint.describe_error(error)}") from None
    check = endpoint.check_golden_set(predictions, labels, min_accuracy)
    results.log_metric("endpoint_accuracy", check.accuracy)
    print(f"endpoint {endpoint_url} ({service}): {check.correct}/{check.total} correct "
          f"({check.accuracy:.4f}, threshold {min_accuracy})")
    if not check.passed:
        raise RuntimeError(f"endpoint test: accuracy {check.accuracy:.4f} is below {min_accuracy}")
    return check.accuracy


@_component
def promote(
    model_name: str,
    model_version: str,
    storage_uri: str,
    registry_uri: str,
    alias: str,
    challenger_alias: str,
    namespace: str,
    protocol: str,
    dry_run: bool,
    service_account: str,
    deployment_mode: str,
    canary_traffic_percent: int,
    local_apply_dir: str,
    rollout_timeout_seconds: int,
    manifest: Output[Artifact],
) -> str:
    """Switch the champion's InferenceService to the tested version, then move the alias.

    Serving switches first (in Knative mode with a canary share: that share, then all traffic;
    serving.promotion_stages): if a rollout fails the alias stays on the previous champion.
    Returns the previous champion's version ("" when there was none).
    """
    import json

    from pipelines.steps import registry, serving

    body = serving.inference_service(
        serving.service_name(model_name), namespace, storage_uri, model_version, protocol,
        service_account=service_account or None, deployment_mode=deployment_mode,
        canary_traffic_percent=canary_traffic_percent)
    stages = serving.promotion_stages(body)
    with open(manifest.path, "w") as handle:
        json.dump(stages[-1], handle, indent=2, sort_keys=True)
    for number, stage in enumerate(stages, start=1):
        canary = stage["spec"]["predictor"].get("canaryTrafficPercent")
        print(f"promotion stage {number}/{len(stages)}: "
              f"{f'{canary}% of traffic' if canary else 'all traffic'} to v{model_version}")
        manifest.metadata.update(serving.apply_or_validate(stage, dry_run, local_apply_dir,
                                                           rollout_timeout_seconds))
    previous = registry.promote(registry_uri, model_name, model_version, alias, challenger_alias)
    manifest.metadata["previous_champion"] = previous or ""
    print(f"promoted {model_name} v{model_version}: alias {alias!r} (was "
          f"{'v' + previous if previous else 'none'}); {body['metadata']['name']} serves {storage_uri}")
    return previous or ""
