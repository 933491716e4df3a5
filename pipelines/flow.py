"""The steps shared by both pipelines: train → evaluate → compare → (register → deploy → test)."""

from __future__ import annotations

from kfp import dsl

from pipelines import components as c
from pipelines.placement import PipelineTarget, apply_gpu, apply_volume


def train_compare_deploy(
    target: PipelineTarget,
    ingested: dsl.PipelineTask,
    *,
    hidden_layers: str,
    max_iter: int,
    learning_rate_init: float,
    alpha: float,
    seed: int,
    metric: str,
    direction: str,
    registry_uri: str,
    experiment_name: str,
    model_name: str,
    alias: str,
    serving_namespace: str,
    protocol: str,
    dry_run: bool,
    endpoint_url: str,
    min_endpoint_accuracy: float,
    endpoint_timeout_seconds: float,
) -> None:
    """Add the tasks after ingestion; deploy and test run only when the candidate wins."""
    dataset = ingested.outputs["dataset"]
    trained = c.train(
        dataset=dataset, hidden_layers=hidden_layers, max_iter=max_iter,
        learning_rate_init=learning_rate_init, alpha=alpha, seed=seed,
    )
    apply_gpu(trained, target.gpu)
    apply_volume(trained, target.models_volume)
    evaluated = c.evaluate(dataset=dataset, model=trained.outputs["model"])
    compared = c.compare_with_champion(
        dataset=dataset, metrics=evaluated.outputs["metrics"], registry_uri=registry_uri,
        model_name=model_name, alias=alias, metric=metric, direction=direction,
    )
    # The registry changes between runs: never reuse a cached decision.
    compared.set_caching_options(False)
    with dsl.If(compared.outputs["Output"] == True, name="candidate-wins"):  # noqa: E712
        registered = c.register_and_promote(
            model=trained.outputs["model"], metrics=evaluated.outputs["metrics"],
            registry_uri=registry_uri, experiment_name=experiment_name, model_name=model_name,
            alias=alias,
        ).set_caching_options(False)
        deployed = c.deploy(
            model_name=model_name, model_version=registered.outputs["version"],
            storage_uri=registered.outputs["storage_uri"], namespace=serving_namespace,
            protocol=protocol, dry_run=dry_run, endpoint_url=endpoint_url,
            service_account=target.serving_account, deployment_mode=target.deployment_mode,
            canary_traffic_percent=target.canary_traffic_percent,
        ).set_caching_options(False)
        c.integration_test(
            endpoint_url=deployed.outputs["Output"], model_name=model_name, protocol=protocol,
            golden_set=ingested.outputs["golden_set"], min_accuracy=min_endpoint_accuracy,
            timeout_seconds=endpoint_timeout_seconds,
        ).set_caching_options(False)
