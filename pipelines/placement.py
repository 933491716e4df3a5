"""Where pipeline steps run and keep models: GPU placement, volume mounts, the model store and the
runtime image, built by the stack from config.

Only steps that use a GPU request one; the reference steps (scikit-learn) all run on CPU, so
`gpu` is the pool a GPU step would use, not a request any shipped step makes.

Local runs (`kfp.local`) ignore placement: the subprocess runner does not schedule pods.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from kfp import dsl, kubernetes

from modules.vocabulary import (
    GPU_PRESENT_LABEL,
    GPU_RESOURCE,
    GPU_TAINT_KEY,
    MLFLOW_TRACKING_URI,
    MODEL_SERVER_ACCOUNT,
    KServeDeploymentMode,
)

if TYPE_CHECKING:
    from kfp.dsl.graph_component import GraphComponent

DEFAULT_REGISTRY_URI = MLFLOW_TRACKING_URI
DEFAULT_SERVING_NAMESPACE = "kfstack-serving"


@dataclass(frozen=True)
class Toleration:
    """A Kubernetes toleration (the GPU pool's taint is `nvidia.com/gpu:NoSchedule`)."""

    key: str
    operator: str = "Exists"
    effect: str = "NoSchedule"
    value: str | None = None


def _default_gpu_tolerations() -> tuple[Toleration, ...]:
    return (Toleration(key=GPU_TAINT_KEY, operator="Exists", effect="NoSchedule"),)


def _default_gpu_node_selector() -> dict[str, str]:
    return {GPU_PRESENT_LABEL: "true"}


@dataclass(frozen=True)
class GpuPlacement:
    """Accelerator request plus the node selector and tolerations of the GPU pool."""

    accelerator_type: str = GPU_RESOURCE
    accelerator_limit: int = 1
    node_selector: dict[str, str] = field(default_factory=_default_gpu_node_selector)
    tolerations: tuple[Toleration, ...] = field(default_factory=_default_gpu_tolerations)

    def __post_init__(self) -> None:
        if self.accelerator_limit < 1:
            raise ValueError(f"accelerator_limit must be >= 1, got {self.accelerator_limit}")


@dataclass(frozen=True)
class VolumeMount:
    """An existing PVC mounted into a step at `mount_path`."""

    pvc_name: str
    mount_path: str

    def __post_init__(self) -> None:
        if not self.mount_path.startswith("/"):
            raise ValueError(f"mount_path must be absolute, got {self.mount_path!r}")


DEFAULT_MODELS_VOLUME = VolumeMount("models", "/mnt/models")


@dataclass(frozen=True)
class PipelineTarget:
    """Everything environment-specific a compiled pipeline needs.

    `registry_uri` and `serving_namespace` become the pipelines' parameter defaults; the serving
    account, KServe mode and canary share are compiled into the deploy step.
    """

    gpu: GpuPlacement | None = field(default_factory=GpuPlacement)
    """The GPU pool for steps that use a GPU (no reference step does)."""
    data_volume: VolumeMount | None = None
    models_volume: VolumeMount | None = field(default_factory=lambda: DEFAULT_MODELS_VOLUME)
    """The `models` claim: the model store unless `model_store_uri` is set; mounted only into the
    steps that write or read model files."""
    model_store_uri: str | None = None
    """Instead of the models claim: an s3://bucket/prefix store, or `model_store.REGISTRY_ARTIFACTS`
    (beside the registry run's artifacts: the stack's MLflow on EKS keeps them at s3://<bucket>/mlflow)."""
    registry_uri: str = DEFAULT_REGISTRY_URI
    serving_namespace: str = DEFAULT_SERVING_NAMESPACE
    serving_account: str = MODEL_SERVER_ACCOUNT
    """The InferenceServices' service account (on EKS its Pod Identity role reads the model artifacts)."""
    deployment_mode: KServeDeploymentMode = "Standard"
    canary_traffic_percent: int = 0
    """Knative mode: the new revision's share of traffic when the champion switches (0: all at once)."""
    runtime_image: str | None = None
    """The image every step runs (`kfstack:pipelines.image`, through the mirror); None:
    components.RUNTIME_IMAGE."""
    local_apply_dir: str = ""
    """Local runs only: where deploy writes the manifests the loopback endpoint serves."""

    @property
    def store_uri(self) -> str:
        """The model store's base URI: `model_store_uri`, else `pvc://<models claim>`."""
        if self.model_store_uri:
            return self.model_store_uri
        if self.models_volume is None:
            raise ValueError("no model store: configure the models volume or an s3:// model store")
        return f"pvc://{self.models_volume.pvc_name}"

    @property
    def store_mount(self) -> VolumeMount | None:
        """The claim to mount into steps that write or read models (None for an s3:// store)."""
        return None if self.model_store_uri else self.models_volume


DEFAULT_TARGET = PipelineTarget()


def apply_runtime_image(pipeline: GraphComponent, image: str | None) -> None:
    """Point every step of `pipeline` that runs components.RUNTIME_IMAGE at `image` (no-op for None).

    The components are defined once, at import, with the default image; the executors of a built
    pipeline's spec are where a compiled IR takes each step's image from.
    """
    from pipelines.components import RUNTIME_IMAGE

    if image is None or image == RUNTIME_IMAGE:
        return
    executors = pipeline.pipeline_spec.deployment_spec["executors"]
    for name in executors:
        container = executors[name]["container"]
        if container["image"] == RUNTIME_IMAGE:
            container["image"] = image


def apply_gpu(task: dsl.PipelineTask, gpu: GpuPlacement | None) -> None:
    """Request the accelerator and pin `task` to the GPU pool (no-op without a GPU)."""
    if gpu is None:
        return
    task.set_accelerator_type(gpu.accelerator_type)
    task.set_accelerator_limit(gpu.accelerator_limit)
    for key in sorted(gpu.node_selector):  # sorted: the IR must not depend on dict order
        kubernetes.add_node_selector(task, label_key=key, label_value=gpu.node_selector[key])
    for tol in gpu.tolerations:
        kubernetes.add_toleration(
            task, key=tol.key, operator=tol.operator, value=tol.value, effect=tol.effect
        )


def apply_volume(task: dsl.PipelineTask, volume: VolumeMount | None) -> None:
    """Mount `volume` into `task` (no-op when not configured)."""
    if volume is not None:
        kubernetes.mount_pvc(task, pvc_name=volume.pvc_name, mount_path=volume.mount_path)
