"""The NVIDIA DCGM exporter on GPU nodes, scraped by monitoring's Prometheus (ServiceMonitor)."""

from __future__ import annotations

import pulumi

from stacks.component_spec import ChartSource, ComponentSpec
from stacks.components.cluster import Cluster
from stacks.components.gpu import without_gpu_pool
from stacks.components.monitoring import MonitoringStack
from stacks.context import StackContext

_no_gpu = without_gpu_pool("export metrics of")

SPEC = ComponentSpec(
    name="dcgm-exporter",
    summary="NVIDIA DCGM exporter DaemonSet on GPU nodes (GPU utilisation and memory for Prometheus)",
    key="dcgmExporter",
    charts=(ChartSource("dcgm-exporter", pinned_by="dcgmExporter"),),
    skip_reason=_no_gpu,
)


def build_dcgm_exporter(stack: StackContext, cluster: Cluster, monitoring: MonitoringStack | None) -> None:
    """The exporter in monitoring's namespace when it is on and there is a GPU pool."""
    config = stack.config
    if not config.components.enabled("dcgmExporter") or _no_gpu(config) is not None:
        return
    assert monitoring is not None  # the config requires monitoring
    from modules.dcgm_exporter import DcgmExporter, DcgmExporterArgs

    (chart,) = SPEC.charts
    DcgmExporter(
        "dcgm-exporter",
        DcgmExporterArgs(chart.pinned(config.components), config.images.mirror(), monitoring.namespace),
        opts=pulumi.ResourceOptions.merge(
            cluster.options(), pulumi.ResourceOptions(depends_on=[monitoring.release])
        ),
    )
