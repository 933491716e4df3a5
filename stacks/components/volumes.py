"""The pipelines' PersistentVolumeClaims (`storage.volumes`), in the pipelines namespace."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

import pulumi

from stacks.component_spec import ComponentSpec
from stacks.components.cluster import Cluster
from stacks.components.storage import Storage
from stacks.config.environment import EnvironmentConfig
from stacks.context import StackContext

if TYPE_CHECKING:
    from modules.vocabulary import AccessMode
    from modules.volumes import VolumeSpec

SPEC = ComponentSpec(
    name="volumes",
    summary="PersistentVolumeClaims pipeline steps mount (data, models)",
    replace_on={"kubernetes:core/v1:PersistentVolumeClaim": ("spec.accessModes", "spec.storageClassName")},
)


def volume_class(access_mode: AccessMode, storage: Storage) -> tuple[AccessMode, str]:
    """(access mode, class) for a volume: RWX falls back to RWO where the cluster has no RWX class."""
    if access_mode == "ReadWriteMany" and storage.rwx_class is not None:
        return access_mode, storage.rwx_class
    return "ReadWriteOnce", storage.rwo_class


def volume_specs(config: EnvironmentConfig, storage: Storage) -> list[VolumeSpec]:
    """The claims the environment's volumes become (each named after its volume)."""
    from modules.volumes import VolumeSpec

    specs = []
    for name, volume in config.storage.volumes.items():
        access_mode, storage_class = volume_class(volume.access_mode, storage)
        namespace = volume.namespace or config.pipelines.namespace
        specs.append(VolumeSpec(name, namespace, volume.size, access_mode, storage_class))
    return specs


def build_volumes(
    stack: StackContext,
    cluster: Cluster,
    storage: Storage,
    namespaces: Mapping[str, pulumi.Resource],
    compute: Sequence[pulumi.Resource],
) -> dict[str, VolumeSpec]:
    """Volume name -> its claim, created after its namespace, the classes and the nodes."""
    specs = volume_specs(stack.config, storage)
    if not specs:
        return {}
    from modules.volumes import Volumes, VolumesArgs

    for spec in specs:
        wanted = stack.config.storage.volumes[spec.name].access_mode
        if spec.access_mode != wanted:
            pulumi.log.warn(
                f"storage.volumes.{spec.name}: the cluster has no ReadWriteMany class "
                "(cluster.existing.storageClassRwx); using ReadWriteOnce, shared only by pods on one node"
            )
    waits = [*compute, *storage.ready, *(namespaces[s.namespace] for s in specs if s.namespace in namespaces)]
    volumes = Volumes(
        "volumes",
        VolumesArgs(tuple(specs)),
        opts=stack.stateful(
            pulumi.ResourceOptions.merge(
                cluster.options(), pulumi.ResourceOptions(depends_on=list(dict.fromkeys(waits)))
            )
        ),
    )
    return volumes.claims
