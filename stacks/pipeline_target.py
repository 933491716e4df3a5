"""Where an environment's pipeline steps run: its GPU pool placement and volume mounts.

Built from config alone (no Pulumi), so `kfstack pipelines compile --env` and the stack that
registers pipelines compile the same IR for the same environment.
"""

from __future__ import annotations

from modules.gpu import pool_placement
from pipelines.placement import GpuPlacement, PipelineTarget, Toleration, VolumeMount
from stacks.config.environment import EnvironmentConfig

DATA_VOLUME = "data"
MODELS_VOLUME = "models"


def _gpu_placement(config: EnvironmentConfig) -> GpuPlacement | None:
    name = config.pipelines.gpu_pool
    if name is None:
        return None
    pool = config.node_pools[name]  # the schema guarantees the reference
    taints = [t.model_dump(exclude_none=True) for t in pool.taints]
    placement = pool_placement(name, taints, pool.gpu)
    return GpuPlacement(
        node_selector=dict(placement.node_selector),
        tolerations=tuple(Toleration(**t) for t in placement.tolerations),
    )


def _mount(config: EnvironmentConfig, volume: str) -> VolumeMount | None:
    spec = config.storage.volumes.get(volume)
    # PVCs are named after their volume key (modules/storage.py)
    return VolumeMount(pvc_name=volume, mount_path=spec.mount_path) if spec else None


def pipeline_target(config: EnvironmentConfig) -> PipelineTarget:
    """The compile target for pipelines registered in this environment."""
    return PipelineTarget(
        gpu=_gpu_placement(config),
        data_volume=_mount(config, DATA_VOLUME),
        models_volume=_mount(config, MODELS_VOLUME),
    )
