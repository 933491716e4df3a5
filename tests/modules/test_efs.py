"""The EFS file system: a mount target per subnet, NFS from the VPC, protection from options."""

from __future__ import annotations

import pulumi
import pulumi_aws as aws

from modules.efs import EfsFileSystem, EfsFileSystemArgs


def _efs(protect: bool = False) -> None:
    provider = aws.Provider("aws", region="us-west-2")
    EfsFileSystem(
        "storage-efs",
        EfsFileSystemArgs("vpc-1", "10.20.0.0/16", ["subnet-a", "subnet-b", "subnet-c"], "elastic"),
        opts=pulumi.ResourceOptions(providers=[provider], protect=protect, retain_on_delete=protect),
    )


def test_efs_has_a_mount_target_per_subnet_and_nfs_from_the_vpc(record) -> None:
    rec = record(_efs)
    fs = rec.one("aws:efs/fileSystem:FileSystem")
    assert fs.inputs["encrypted"] is True
    assert fs.inputs["throughputMode"] == "elastic"
    targets = rec.find("aws:efs/mountTarget:MountTarget")
    assert sorted(t.inputs["subnetId"] for t in targets) == ["subnet-a", "subnet-b", "subnet-c"]
    group = rec.one("aws:ec2/securityGroup:SecurityGroup")
    assert group.inputs["vpcId"] == "vpc-1"
    (rule,) = group.inputs["ingress"]
    assert (rule["protocol"], rule["fromPort"], rule["toPort"], rule["cidrBlocks"]) == (
        "tcp", 2049, 2049, ["10.20.0.0/16"],
    )
    for target in targets:
        assert target.inputs["securityGroups"][0].startswith("sg-")
        assert group.urn in target.dependencies and fs.urn in target.dependencies
    assert not fs.protect


def test_protected_file_system_is_retained_with_its_mount_targets(record) -> None:
    rec = record(lambda: _efs(protect=True))
    for resource in rec.children_of(rec.one("kfstack:storage:EfsFileSystem")):
        assert resource.protect and resource.retain_on_delete, resource.name
