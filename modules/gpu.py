"""GPU node pools: NVIDIA AMI types, the GPU taint and label, pool placements for pipelines,
and the NVIDIA device plugin (optionally time-sliced)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pulumi
import yaml

from modules.helm import HelmChart, helm_release
from modules.images import NO_MIRROR, ImageMirror
from modules.options import child_options
from modules.vocabulary import (
    GPU_PRESENT_LABEL,
    GPU_RESOURCE,
    GPU_TAINT_KEY,
    POOL_LABEL,
    AmiType,
    Architecture,
)

_AMI_TYPES: dict[tuple[Architecture, bool], AmiType] = {
    ("x86_64", False): "AL2023_x86_64_STANDARD",
    ("x86_64", True): "AL2023_x86_64_NVIDIA",
    ("arm64", False): "AL2023_ARM_64_STANDARD",
    ("arm64", True): "AL2023_ARM_64_NVIDIA",
}


def ami_type(gpu: bool, architecture: Architecture) -> AmiType:
    """The EKS AL2023 AMI type for a pool (the NVIDIA variant ships the driver and toolkit)."""
    return _AMI_TYPES[(architecture, gpu)]


def node_labels(pool: str, labels: Mapping[str, str], gpu: bool) -> dict[str, str]:
    """Pool labels plus `kfstack.io/pool` and, on GPU pools, `nvidia.com/gpu.present=true`.

    The device plugin chart only schedules onto nodes with that label (or NFD's PCI labels).
    """
    out = {POOL_LABEL: pool, **labels}
    if gpu:
        out[GPU_PRESENT_LABEL] = "true"
    return dict(sorted(out.items()))


@dataclass(frozen=True)
class PoolPlacement:
    """What a pod needs to land on one pool: tolerations for its taints and a node selector."""

    tolerations: tuple[dict[str, str], ...]
    node_selector: dict[str, str]


def pool_placement(pool: str, taints: Sequence[Mapping[str, Any]], gpu: bool) -> PoolPlacement:
    """Tolerations for every taint of the pool, and a selector for exactly this pool."""
    tolerations = []
    for taint in taints:
        toleration = {"key": str(taint["key"]), "effect": str(taint.get("effect", "NoSchedule"))}
        if taint.get("value") is not None:
            toleration.update(operator="Equal", value=str(taint["value"]))
        else:
            toleration["operator"] = "Exists"
        tolerations.append(toleration)
    selector = {POOL_LABEL: pool}
    if gpu:
        selector[GPU_PRESENT_LABEL] = "true"
    return PoolPlacement(tuple(tolerations), selector)


def time_slicing_config(replicas: int) -> str:
    """The device plugin config file that shares each GPU `replicas` ways."""
    return yaml.safe_dump(
        {
            "version": "v1",
            "flags": {"migStrategy": "none"},
            "sharing": {
                "timeSlicing": {
                    "renameByDefault": False,
                    "failRequestsGreaterThanOne": True,
                    "resources": [{"name": GPU_RESOURCE, "replicas": replicas}],
                }
            },
        },
        sort_keys=False,
    )


DEVICE_PLUGIN_IMAGE = "nvcr.io/nvidia/k8s-device-plugin"
"""The chart's image repository (the tag is the chart's appVersion); its config sidecar uses it too."""


def device_plugin_values(time_slicing_replicas: int, mirror: ImageMirror | None = None) -> dict[str, Any]:
    """Helm values for nvidia-device-plugin: GPU nodes only, tolerating the GPU taint (the image from
    the mirror registry, if any)."""
    values: dict[str, Any] = {
        "nodeSelector": {GPU_PRESENT_LABEL: "true"},
        "tolerations": [
            {"key": GPU_TAINT_KEY, "operator": "Exists", "effect": "NoSchedule"},
            {"key": "CriticalAddonsOnly", "operator": "Exists"},
        ],
        "priorityClassName": "system-node-critical",
        "gfd": {"enabled": False},
        "nfd": {"enabled": False},
    }
    if mirror is not None and mirror.registry is not None:
        values["image"] = {"repository": mirror(DEVICE_PLUGIN_IMAGE)}
    if time_slicing_replicas > 1:
        values["config"] = {
            "map": {"default": time_slicing_config(time_slicing_replicas)},
            "default": "default",
        }
    return values


DEVICE_PLUGIN_NAMESPACE = "kube-system"


@dataclass(frozen=True)
class DevicePluginArgs:
    """The pinned chart and the sharing factor."""

    chart: HelmChart
    time_slicing_replicas: int
    mirror: ImageMirror = NO_MIRROR


class NvidiaDevicePlugin(pulumi.ComponentResource):
    """The NVIDIA device plugin DaemonSet (Helm), advertising `nvidia.com/gpu` on GPU nodes."""

    def __init__(self, name: str, args: DevicePluginArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("kfstack:gpu:NvidiaDevicePlugin", name, None, opts)
        self.release = helm_release(
            name,
            args.chart,
            DEVICE_PLUGIN_NAMESPACE,
            device_plugin_values(args.time_slicing_replicas, args.mirror),
            child_options(self, opts),
            release_name=args.chart.chart_name,
        )
        self.register_outputs({})
