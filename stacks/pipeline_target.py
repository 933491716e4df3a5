"""Where an environment's pipeline steps run: its GPU pool's placement and its volume claims.

The stack compiles the pipelines it registers for the placements and claims its infrastructure
builders return; `kfstack pipelines compile --env` calls the same builder functions without
Pulumi, so both compile the same IR for the same environment.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from pipelines.placement import GpuPlacement, PipelineTarget, Toleration, VolumeMount
from stacks.config.environment import EnvironmentConfig

if TYPE_CHECKING:
    from modules.gpu import PoolPlacement
    from modules.volumes import VolumeSpec

DATA_VOLUME = "data"
MODELS_VOLUME = "models"


def pipeline_target(
    config: EnvironmentConfig, placements: Mapping[str, PoolPlacement], claims: Mapping[str, VolumeSpec]
) -> PipelineTarget:
    """The compile target: the GPU pool named by `pipelines.gpuPool`, the data/models claims, the
    stack's MLflow, the namespace the pipelines deploy InferenceServices to and the runtime image."""
    from stacks.components.mlflow import mlflow_tracking_uri

    return PipelineTarget(
        gpu=_gpu_placement(config.pipelines.gpu_pool, placements),
        data_volume=_mount(config, claims, DATA_VOLUME),
        models_volume=_mount(config, claims, MODELS_VOLUME),
        model_store_uri=model_store_uri(config),
        registry_uri=mlflow_tracking_uri(config),
        serving_namespace=config.serving_namespace(),
        deployment_mode=config.components.kserve.deployment_mode,
        canary_traffic_percent=config.components.kserve.canary_traffic_percent or 0,
        runtime_image=runtime_image(config),
    )


def model_store_uri(config: EnvironmentConfig) -> str | None:
    """Where the pipelines store model versions: on EKS with the stack's MLflow, beside the run's
    artifacts (`s3://<bucket>/mlflow/...`, the prefix the serving account reads; validate requires
    the artifact bucket there); otherwise None: the `models` claim (`pvc://`)."""
    from pipelines.steps.model_store import REGISTRY_ARTIFACTS

    if config.cluster.kind == "eks" and config.components.enabled("mlflow"):
        return REGISTRY_ARTIFACTS
    return None


def runtime_image(config: EnvironmentConfig) -> str:
    """The image the environment's pipeline steps run: `pipelines.image` (by digest) or the default
    components.RUNTIME_IMAGE, pulled through `kfstack:images.registry` like every other image the
    stack installs (a digest-preserving copy keeps the digest valid)."""
    from pipelines.components import RUNTIME_IMAGE

    return config.images.mirror()(config.pipelines.image or RUNTIME_IMAGE)


def environment_target(config: EnvironmentConfig) -> PipelineTarget:
    """`pipeline_target` for an environment, without running the stack (for the CLI)."""
    from stacks.components.gpu import gpu_placements
    from stacks.components.storage import planned_storage
    from stacks.components.volumes import volume_specs

    claims = {spec.name: spec for spec in volume_specs(config, planned_storage(config))}
    return pipeline_target(config, gpu_placements(config), claims)


def _gpu_placement(pool: str | None, placements: Mapping[str, PoolPlacement]) -> GpuPlacement | None:
    if pool is None:
        return None
    placement = placements[pool]  # the schema guarantees pipelines.gpuPool names a GPU pool
    return GpuPlacement(
        node_selector=dict(placement.node_selector),
        tolerations=tuple(Toleration(**t) for t in placement.tolerations),
    )


def _mount(config: EnvironmentConfig, claims: Mapping[str, VolumeSpec], volume: str) -> VolumeMount | None:
    claim = claims.get(volume)
    if claim is None:
        return None
    return VolumeMount(pvc_name=claim.name, mount_path=config.storage.volumes[volume].mount_path)
