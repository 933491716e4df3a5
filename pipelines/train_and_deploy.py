"""Reference pipeline: ingest → train → evaluate → gate → challenger → deploy → test → promote."""

# No `from __future__ import annotations`: kfp reads the real parameter annotations.
from kfp import dsl
from kfp.dsl.graph_component import GraphComponent

from pipelines import components as c
from pipelines.flow import train_compare_deploy
from pipelines.placement import PipelineTarget, apply_volume

NAME = "train-and-deploy"
DESCRIPTION = ("Train an MLP on a dataset; if it meets the quality floor and beats the champion "
               "on rows neither trained on: register it as challenger, deploy it beside the "
               "champion, test its endpoint, then promote it.")
STEPS = ("fingerprint-dataset", "ingest", "train", "evaluate", "compare-with-champion",
         "reject-candidate", "register-challenger", "deploy", "integration-test", "promote")


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
        quality_floor: float = 0.9,
        registry_uri: str = target.registry_uri,
        experiment_name: str = NAME,
        model_name: str = "digits-mlp",
        alias: str = "champion",
        challenger_alias: str = "challenger",
        serving_namespace: str = target.serving_namespace,
        protocol: str = "v1",
        dry_run: bool = False,
        endpoint_url: str = "",
        min_endpoint_accuracy: float = 0.9,
        endpoint_timeout_seconds: float = 10.0,
        rollout_timeout_seconds: int = 600,
    ) -> None:
        fingerprint = c.fingerprint_dataset(dataset_uri=dataset_uri).set_caching_options(False)
        apply_volume(fingerprint, target.data_volume)
        # Cached on the data's version as well as the parameters: new data, new split.
        ingested = c.ingest(dataset_uri=dataset_uri, source_version=fingerprint.output,
                            test_size=test_size, golden_set_size=golden_set_size)
        apply_volume(ingested, target.data_volume)
        train_compare_deploy(
            target, ingested, hidden_layers=hidden_layers, max_iter=max_iter,
            learning_rate_init=learning_rate_init, alpha=alpha, seed=seed, test_size=test_size,
            golden_set_size=golden_set_size, metric=metric, direction=direction,
            quality_floor=quality_floor, registry_uri=registry_uri,
            experiment_name=experiment_name, model_name=model_name, alias=alias,
            challenger_alias=challenger_alias, serving_namespace=serving_namespace,
            protocol=protocol, dry_run=dry_run, endpoint_url=endpoint_url,
            min_endpoint_accuracy=min_endpoint_accuracy,
            endpoint_timeout_seconds=endpoint_timeout_seconds,
            rollout_timeout_seconds=rollout_timeout_seconds,
        )

    return train_and_deploy
