"""The gate both pipelines share: train → evaluate → quality gate → challenger → test → promote.

A candidate below the quality floor fails the run (reject-candidate). One that beats the champion
on evaluation rows neither trained on is registered as `challenger`, deployed in its own
InferenceService beside the champion's, tested on that endpoint, and only then promoted: the
champion's InferenceService switches to it and the `champion` alias moves. Anything failing on
the way leaves the previous champion serving and aliased.
"""

from __future__ import annotations

from kfp import dsl

from pipelines import components as c
from pipelines.placement import PipelineTarget, apply_volume


def train_compare_deploy(
    target: PipelineTarget,
    ingested: dsl.PipelineTask,
    *,
    hidden_layers: str,
    max_iter: int,
    learning_rate_init: float,
    alpha: float,
    seed: int,
    test_size: float,
    golden_set_size: int,
    metric: str,
    direction: str,
    quality_floor: float,
    registry_uri: str,
    experiment_name: str,
    model_name: str,
    alias: str,
    challenger_alias: str,
    serving_namespace: str,
    protocol: str,
    dry_run: bool,
    endpoint_url: str,
    min_endpoint_accuracy: float,
    endpoint_timeout_seconds: float,
    rollout_timeout_seconds: int,
) -> None:
    """Add the tasks after ingestion (all CPU steps: none requests a GPU)."""
    dataset = ingested.outputs["dataset"]
    mount = target.store_mount
    mount_path = mount.mount_path if mount else ""
    trained = c.train(
        dataset=dataset, hidden_layers=hidden_layers, max_iter=max_iter,
        learning_rate_init=learning_rate_init, alpha=alpha, seed=seed,
    )
    evaluated = c.evaluate(dataset=dataset, model=trained.outputs["model"])
    compared = c.compare_with_champion(
        dataset=dataset, model=trained.outputs["model"], metrics=evaluated.outputs["metrics"],
        registry_uri=registry_uri, model_name=model_name, alias=alias, metric=metric,
        direction=direction, quality_floor=quality_floor, models_mount_path=mount_path,
    )
    # The registry changes between runs: never reuse a cached decision.
    compared.set_caching_options(False)
    apply_volume(compared, mount)  # reads the champion's model file
    with dsl.If(compared.outputs["below_floor"] == True, name="below-floor"):  # noqa: E712
        c.reject_candidate(comparison=compared.outputs["comparison"]).set_caching_options(False)
    with dsl.If(compared.outputs["promote"] == True, name="candidate-wins"):  # noqa: E712
        registered = c.register_challenger(
            dataset=dataset, model=trained.outputs["model"], metrics=evaluated.outputs["metrics"],
            registry_uri=registry_uri, experiment_name=experiment_name, model_name=model_name,
            alias=challenger_alias, model_store_uri=target.store_uri, models_mount_path=mount_path,
            hidden_layers=hidden_layers, max_iter=max_iter, learning_rate_init=learning_rate_init,
            alpha=alpha, seed=seed, test_size=test_size, golden_set_size=golden_set_size,
        ).set_caching_options(False)
        apply_volume(registered, mount)  # writes the model file the InferenceService loads
        deployed = c.deploy(
            model_name=model_name, model_version=registered.outputs["version"],
            storage_uri=registered.outputs["storage_uri"], namespace=serving_namespace,
            protocol=protocol, dry_run=dry_run, endpoint_url=endpoint_url,
            service_account=target.serving_account, deployment_mode=target.deployment_mode,
            local_apply_dir=target.local_apply_dir, rollout_timeout_seconds=rollout_timeout_seconds,
        ).set_caching_options(False)
        tested = c.integration_test(
            endpoint_url=deployed.outputs["endpoint_url"], service=deployed.outputs["service"],
            protocol=protocol, golden_set=ingested.outputs["golden_set"],
            min_accuracy=min_endpoint_accuracy, timeout_seconds=endpoint_timeout_seconds,
        ).set_caching_options(False)
        c.promote(
            model_name=model_name, model_version=registered.outputs["version"],
            storage_uri=registered.outputs["storage_uri"], registry_uri=registry_uri, alias=alias,
            challenger_alias=challenger_alias, namespace=serving_namespace, protocol=protocol,
            dry_run=dry_run, service_account=target.serving_account,
            deployment_mode=target.deployment_mode,
            canary_traffic_percent=target.canary_traffic_percent,
            local_apply_dir=target.local_apply_dir, rollout_timeout_seconds=rollout_timeout_seconds,
        ).after(tested).set_caching_options(False)
