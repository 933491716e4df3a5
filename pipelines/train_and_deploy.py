"""Reference pipeline: ingest → train → evaluate → compare → register/promote → deploy → test."""

# No `from __future__ import annotations`: kfp reads the real parameter annotations.
from kfp import dsl
from kfp.dsl.graph_component import GraphComponent

from pipelines import components as c
from pipelines.flow import train_compare_deploy
from pipelines.placement import PipelineTarget, apply_volume

NAME = "train-and-deploy"
DESCRIPTION = ("Train an MLP on a dataset, compare it with the registry's champion, and if it "
               "wins: register, promote, deploy to KServe and test the endpoint.")
STEPS = ("ingest", "train", "evaluate", "compare-with-champion", "register-and-promote",
         "deploy", "integration-test")


def build(target: PipelineTarget) -> GraphComponent:
    """The pipeline for `target` (placement and registry/serving defaults come from it)."""

    @dsl.pipeline(name=NAME, description=DESCRIPTION)
    def train_and_deploy(
        dataset_uri: str = "sklearn://digits",
        test_size: float = 0.2,
        seed: int = 0,
        golden_set_size: int = 100,
        hidden_layers: str = "256,64",
        max_iter: int = 200,
        learning_rate_init: float = 0.001,
        alpha: float = 0.0001,
        metric: str = "accuracy",
        direction: str = "maximize",
        registry_uri: str = target.registry_uri,
        experiment_name: str = NAME,
        model_name: str = "digits-mlp",
        alias: str = "champion",
        serving_namespace: str = target.serving_namespace,
        protocol: str = "v1",
        dry_run: bool = False,
        endpoint_url: str = "",
        min_endpoint_accuracy: float = 0.9,
        endpoint_timeout_seconds: float = 10.0,
    ) -> None:
        ingested = c.ingest(dataset_uri=dataset_uri, test_size=test_size, seed=seed,
                            golden_set_size=golden_set_size)
        apply_volume(ingested, target.data_volume)
        train_compare_deploy(
            target, ingested, hidden_layers=hidden_layers, max_iter=max_iter,
            learning_rate_init=learning_rate_init, alpha=alpha, seed=seed, metric=metric,
            direction=direction, registry_uri=registry_uri, experiment_name=experiment_name,
            model_name=model_name, alias=alias, serving_namespace=serving_namespace,
            protocol=protocol, dry_run=dry_run, endpoint_url=endpoint_url,
            min_endpoint_accuracy=min_endpoint_accuracy,
            endpoint_timeout_seconds=endpoint_timeout_seconds,
        )

    return train_and_deploy
