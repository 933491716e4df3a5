"""An EFS file system for ReadWriteMany volumes: the file system, a mount target per subnet and
the security group that lets the VPC reach them over NFS."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from modules.options import child_options
from modules.vocabulary import EfsThroughputMode

NFS_PORT = 2049


@dataclass(frozen=True)
class EfsFileSystemArgs:
    """Where the mount targets go and how the file system performs."""

    vpc_id: pulumi.Input[str]
    vpc_cidr: str
    subnet_ids: Sequence[pulumi.Input[str]]
    throughput_mode: EfsThroughputMode


class EfsFileSystem(pulumi.ComponentResource):
    """Encrypted EFS with mount targets; protect the component to keep the data (prod does)."""

    file_system: aws.efs.FileSystem
    mount_targets: list[aws.efs.MountTarget]

    def __init__(
        self, name: str, args: EfsFileSystemArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("kfstack:storage:EfsFileSystem", name, None, opts)
        child = child_options(self, opts)
        nfs = aws.ec2.SecurityGroup(
            f"{name}-nfs",
            description="NFS from the VPC to the kfstack EFS mount targets",
            vpc_id=args.vpc_id,
            ingress=[
                aws.ec2.SecurityGroupIngressArgs(
                    protocol="tcp",
                    from_port=NFS_PORT,
                    to_port=NFS_PORT,
                    cidr_blocks=[args.vpc_cidr],
                    description="NFS from the VPC",
                )
            ],
            opts=child,
        )
        self.file_system = aws.efs.FileSystem(
            name,
            encrypted=True,
            performance_mode="generalPurpose",
            throughput_mode=args.throughput_mode,
            lifecycle_policies=[aws.efs.FileSystemLifecyclePolicyArgs(transition_to_ia="AFTER_30_DAYS")],
            tags={"Name": name},
            opts=child,
        )
        self.mount_targets = [
            aws.efs.MountTarget(
                f"{name}-{i}",
                file_system_id=self.file_system.id,
                subnet_id=subnet,
                security_groups=[nfs.id],
                opts=child,
            )
            for i, subnet in enumerate(args.subnet_ids)
        ]
        self.register_outputs({"fileSystemId": self.file_system.id})
