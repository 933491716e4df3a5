"""The NVIDIA DCGM exporter: a DaemonSet on GPU nodes only, scraped through its ServiceMonitor."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_kubernetes as k8s

from modules.helm import HelmChart, helm_release
from modules.images import ImageMirror
from modules.options import child_options
from modules.vocabulary import GPU_PRESENT_LABEL, GPU_TAINT_KEY

DCGM_EXPORTER_IMAGE = "nvcr.io/nvidia/k8s/dcgm-exporter:4.5.3-4.8.2-distroless"
"""The image of dcgm-exporter chart 4.8.2 (its values.yaml)."""


def dcgm_exporter_values(mirror: ImageMirror) -> dict[str, Any]:
    """Helm values of dcgm-exporter 4.8.2: GPU nodes only (label + taint), metrics with the GPU's pod.

    `honorLabels` keeps the exporter's `pod`/`namespace` (the workload using the GPU) instead of
    Prometheus' target labels (the exporter's own pod).
    """
    image = mirror.image(DCGM_EXPORTER_IMAGE)
    return {
        "image": {"repository": f"{image.registry}/{image.repository}", "tag": image.version},
        "nodeSelector": {GPU_PRESENT_LABEL: "true"},
        "tolerations": [{"key": GPU_TAINT_KEY, "operator": "Exists", "effect": "NoSchedule"}],
        "serviceMonitor": {"enabled": True, "honorLabels": True, "interval": "15s"},
    }


@dataclass(frozen=True)
class DcgmExporterArgs:
    """The pinned chart, the image mirror and the namespace (monitoring's)."""

    chart: HelmChart
    mirror: ImageMirror
    namespace: str


class DcgmExporter(pulumi.ComponentResource):
    """The exporter's release. Pass in `opts.depends_on` the monitoring release (namespace, CRDs)."""

    release: k8s.helm.v3.Release

    def __init__(self, name: str, args: DcgmExporterArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("kfstack:monitoring:DcgmExporter", name, None, opts)
        self.release = helm_release(
            name,
            args.chart,
            args.namespace,
            dcgm_exporter_values(args.mirror),
            child_options(self, opts),
            release_name="dcgm-exporter",
        )
        self.register_outputs({})
