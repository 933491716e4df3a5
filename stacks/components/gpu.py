"""GPU support: the placement of each GPU pool (what pipeline steps tolerate and select) and the
NVIDIA device plugin that advertises the GPUs."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

import pulumi

from stacks.component_spec import ChartSource, ComponentSpec
from stacks.components.cluster import Cluster
from stacks.components.node_groups import pool_taints
from stacks.config.environment import EnvironmentConfig
from stacks.context import StackContext

if TYPE_CHECKING:
    from modules.gpu import PoolPlacement


def without_gpu_pool(consequence: str) -> Callable[[EnvironmentConfig], str | None]:
    """A `skip_reason` for GPU-node components: why they install nothing without a GPU pool."""

    def reason(config: EnvironmentConfig) -> str | None:
        if any(pool.gpu for pool in config.node_pools.values()):
            return None
        return f"no GPU node pool (nodePools.<name>.gpu: true), so there are no GPUs to {consequence}"

    return reason


SPEC = ComponentSpec(
    name="nvidia-device-plugin",
    summary="NVIDIA device plugin DaemonSet on GPU nodes (optionally time-sliced)",
    key="nvidiaDevicePlugin",
    charts=(ChartSource("nvidia-device-plugin", pinned_by="nvidiaDevicePlugin"),),
    skip_reason=without_gpu_pool("advertise"),
)


def gpu_placements(config: EnvironmentConfig) -> dict[str, PoolPlacement]:
    """Pool name -> tolerations and node selector of every GPU pool."""
    from modules.gpu import pool_placement

    return {
        name: pool_placement(name, pool_taints(pool), pool.gpu)
        for name, pool in config.node_pools.items()
        if pool.gpu
    }


def build_gpu_support(
    stack: StackContext, cluster: Cluster, after: Sequence[pulumi.Resource]
) -> dict[str, PoolPlacement]:
    """The GPU pools' placements; installs the device plugin when there is a GPU pool and it is on."""
    placements = gpu_placements(stack.config)
    components = stack.config.components
    if placements and components.enabled("nvidiaDevicePlugin"):
        from modules.gpu import DevicePluginArgs, NvidiaDevicePlugin

        (chart,) = SPEC.charts
        NvidiaDevicePlugin(
            "nvidia-device-plugin",
            DevicePluginArgs(
                chart=chart.pinned(components),
                time_slicing_replicas=components.nvidia_device_plugin.time_slicing_replicas,
                mirror=stack.config.images.mirror(),
            ),
            opts=pulumi.ResourceOptions.merge(
                cluster.options(), pulumi.ResourceOptions(depends_on=list(after))
            ),
        )
    return placements
