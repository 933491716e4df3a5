"""Determined (optional, off by default; upstream unmaintained since 2025-03): resource pools mapped to
the GPU node pools, its PostgreSQL on the cluster's ReadWriteOnce class, generated database password."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

import pulumi

from stacks.component_spec import ChartSource, ComponentSpec
from stacks.components.cluster import Cluster
from stacks.components.storage import Storage
from stacks.config.environment import EnvironmentConfig
from stacks.config.instance_types import gpu_instance
from stacks.context import StackContext

if TYPE_CHECKING:
    from modules.gpu import PoolPlacement

SPEC = ComponentSpec(
    name="determined",
    summary="Determined master and PostgreSQL, one resource pool per GPU node pool (unmaintained upstream)",
    key="determined",
    charts=(ChartSource("determined", pinned_by="determined"),),
)

DB_PASSWORD_LENGTH = 32


def max_slots_per_pod(config: EnvironmentConfig) -> int:
    """`maxSlotsPerPod`: the configured value, else the GPU count every GPU instance type divides into
    (the greatest common divisor, as the chart advises for mixed node sizes); 1 when GPUs are
    time-sliced (one shared GPU per pod) or a pool lists a type kfstack does not know."""
    configured = config.components.determined.max_slots_per_pod
    if configured is not None:
        return configured
    if config.components.nvidia_device_plugin.time_slicing_replicas > 1:
        return 1
    counts = []
    for pool in config.node_pools.values():
        if not pool.gpu:
            continue
        for instance_type in pool.instance_types:
            known = gpu_instance(instance_type)
            if known is None:
                return 1
            counts.append(known.gpus)
    return math.gcd(*counts) if counts else 1


def build_determined(
    stack: StackContext,
    cluster: Cluster,
    storage: Storage,
    placements: Mapping[str, PoolPlacement],
    after: Sequence[pulumi.Resource],
) -> pulumi.Resource | None:
    """Determined after `after` (node pools, storage); returns the release (None when off)."""
    config = stack.config
    components = config.components
    if not components.enabled("determined"):
        return None
    password = components.determined.initial_user_password
    assert password is not None and placements  # the config requires both when Determined is on
    from modules.credentials import random_secret
    from modules.determined import Determined, DeterminedArgs, determined_images

    opts = pulumi.ResourceOptions.merge(
        cluster.options(), pulumi.ResourceOptions(depends_on=[*after, *storage.ready])
    )
    # PostgreSQL takes the password only when it initialises its volume: keep it as long as the volume
    db_password = random_secret("determined-db-password", DB_PASSWORD_LENGTH, stack.stateful(opts))
    (chart,) = SPEC.charts
    version = components.pin("determined").app_version
    determined = Determined(
        "determined",
        DeterminedArgs(
            chart=chart.pinned(components),
            version=version,
            images=determined_images(config.images.mirror(), version),
            gpu_pools=placements,
            max_slots_per_pod=max_slots_per_pod(config),
            cluster_name=stack.cluster_name,
            storage_class=storage.rwo_class,
            db_storage_size=components.determined.db_storage_size,
            db_password=db_password.result,
            initial_user_password=password.as_output(),
        ),
        opts=opts,
        # the release owns the database's PersistentVolumeClaim (the chart always renders its own)
        release_opts=stack.stateful(),
    )
    return determined.release
