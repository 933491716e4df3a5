"""Storage classes: on EKS an encrypted gp3 default class and an EFS file system with its
ReadWriteMany class; on an existing cluster the classes it already has (named in config)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import pulumi

from stacks.component_spec import ComponentSpec
from stacks.components.cluster import Cluster
from stacks.config.environment import EnvironmentConfig
from stacks.context import StackContext
from stacks.mock_values import aws_arn, ec2_id, mock_region, stable_hex

SPEC = ComponentSpec(
    name="storage",
    summary="gp3 (default, RWO) and EFS (RWX) StorageClasses with the EFS file system (EKS)",
    mock_outputs={
        "aws:ec2/securityGroup:SecurityGroup": ec2_id("sg"),
        "aws:efs/fileSystem:FileSystem": lambda name, inputs: {
            "id": f"fs-{stable_hex(name)}",
            "arn": aws_arn("elasticfilesystem", f"file-system/fs-{stable_hex(name)}"),
            "dnsName": f"fs-{stable_hex(name)}.efs.{mock_region()}.amazonaws.com",
        },
        "aws:efs/mountTarget:MountTarget": lambda name, inputs: {"id": f"fsmt-{stable_hex(name)}"},
    },
    replace_on={
        "kubernetes:storage.k8s.io/v1:StorageClass": (
            "provisioner",
            "parameters",
            "reclaimPolicy",
            "volumeBindingMode",
        ),
    },
)


@dataclass(frozen=True)
class Storage:
    """The classes claims use, and what must exist before a claim can bind."""

    rwo_class: str
    rwx_class: str | None
    ready: list[pulumi.Resource] = field(default_factory=list)


def planned_storage(config: EnvironmentConfig) -> Storage:
    """The class names claims will use: the existing cluster's, or the ones created on EKS."""
    existing = config.cluster.existing
    if existing is not None:
        return Storage(existing.storage_class_rwo, existing.storage_class_rwx)
    return Storage(config.storage.ebs.name, config.storage.efs.class_name)


def build_storage(stack: StackContext, cluster: Cluster, after: Sequence[pulumi.Resource]) -> Storage:
    """EKS: EFS + both classes, after `after` (the CSI driver addons). Existing: the named classes."""
    if cluster.eks is None:
        return planned_storage(stack.config)
    from modules.efs import EfsFileSystem, EfsFileSystemArgs
    from modules.storage_classes import StorageClasses, StorageClassesArgs

    eks = cluster.eks
    config = stack.config.storage
    efs = EfsFileSystem(
        "storage-efs",
        EfsFileSystemArgs(
            vpc_id=eks.network.vpc_id,
            vpc_cidr=eks.network.cidr,
            subnet_ids=eks.network.private_subnet_ids,
            throughput_mode=config.efs.throughput_mode,
        ),
        opts=stack.stateful(eks.aws.options()),
    )
    classes = StorageClasses(
        "storage-classes",
        StorageClassesArgs(
            ebs_class=config.ebs.name,
            ebs_default=config.ebs.default,
            ebs_reclaim_policy=config.ebs.reclaim_policy,
            efs_class=config.efs.class_name,
            efs_file_system_id=efs.file_system.id,
            efs_directory_perms=config.efs.directory_perms,
            efs_reclaim_policy=config.efs.reclaim_policy,
        ),
        opts=pulumi.ResourceOptions.merge(
            cluster.options(), pulumi.ResourceOptions(depends_on=[*after, *efs.mount_targets])
        ),
    )
    return Storage(classes.rwo_class, classes.rwx_class, [classes])
