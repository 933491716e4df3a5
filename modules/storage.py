"""Storage: gp3 (RWO, default) and EFS (RWX) StorageClasses with the EFS file system, the
pipelines' PersistentVolumeClaims, and the S3 artifact bucket."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_aws as aws
import pulumi_kubernetes as k8s

DEFAULT_CLASS_ANNOTATION = "storageclass.kubernetes.io/is-default-class"
NFS_PORT = 2049


def gp3_storage_class(name: str, default: bool = True, reclaim_policy: str = "Delete") -> dict[str, Any]:
    """gp3 EBS class: encrypted, WaitForFirstConsumer (the volume follows the pod's AZ).

    EKS >= 1.30 no longer marks any class as default, so claims without a class would hang.
    """
    metadata: dict[str, Any] = {"name": name}
    if default:
        metadata["annotations"] = {DEFAULT_CLASS_ANNOTATION: "true"}
    return {
        "metadata": metadata,
        "provisioner": "ebs.csi.aws.com",
        "parameters": {"type": "gp3", "encrypted": "true", "csi.storage.k8s.io/fstype": "ext4"},
        "reclaimPolicy": reclaim_policy,
        "volumeBindingMode": "WaitForFirstConsumer",
        "allowVolumeExpansion": True,
    }


def efs_storage_class(
    name: str, file_system_id: pulumi.Input[str], directory_perms: str = "700", reclaim_policy: str = "Delete"
) -> dict[str, Any]:
    """EFS class: one access point per claim (dynamic provisioning), ReadWriteMany."""
    return {
        "metadata": {"name": name},
        "provisioner": "efs.csi.aws.com",
        "parameters": {
            "provisioningMode": "efs-ap",
            "fileSystemId": file_system_id,
            "directoryPerms": directory_perms,
            "basePath": "/kfstack",
        },
        "reclaimPolicy": reclaim_policy,
        "volumeBindingMode": "Immediate",
    }


def _storage_class(
    name: str, manifest: dict[str, Any], opts: pulumi.ResourceOptions
) -> k8s.storage.v1.StorageClass:
    return k8s.storage.v1.StorageClass(
        name,
        metadata=manifest["metadata"],
        provisioner=manifest["provisioner"],
        parameters=manifest["parameters"],
        reclaim_policy=manifest["reclaimPolicy"],
        volume_binding_mode=manifest["volumeBindingMode"],
        allow_volume_expansion=manifest.get("allowVolumeExpansion"),
        opts=opts,
    )


@dataclass(frozen=True)
class EksStorageArgs:
    """Classes and the EFS file system for an EKS cluster."""

    vpc_id: pulumi.Input[str]
    vpc_cidr: str
    subnet_ids: Sequence[pulumi.Input[str]]
    aws_provider: pulumi.ProviderResource
    provider: k8s.Provider
    ebs_class: str = "gp3"
    ebs_default: bool = True
    ebs_reclaim_policy: str = "Delete"
    efs_class: str = "efs"
    efs_throughput_mode: str = "elastic"
    efs_directory_perms: str = "700"
    efs_reclaim_policy: str = "Delete"
    protect: bool = False
    depends_on: tuple[pulumi.Resource, ...] = ()


class EksStorage(pulumi.ComponentResource):
    """gp3 + EFS StorageClasses, the EFS file system, a mount target per subnet, the NFS group."""

    rwo_class: str
    rwx_class: str
    file_system: aws.efs.FileSystem

    def __init__(self, name: str, args: EksStorageArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("kfstack:storage:EksStorage", name, None, opts)
        aws_opts = pulumi.ResourceOptions(parent=self, provider=args.aws_provider)
        k8s_opts = pulumi.ResourceOptions(
            parent=self, provider=args.provider, depends_on=list(args.depends_on)
        )
        nfs = aws.ec2.SecurityGroup(
            f"{name}-efs-nfs",
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
            opts=aws_opts,
        )
        self.file_system = aws.efs.FileSystem(
            f"{name}-efs",
            encrypted=True,
            performance_mode="generalPurpose",
            throughput_mode=args.efs_throughput_mode,
            lifecycle_policies=[aws.efs.FileSystemLifecyclePolicyArgs(transition_to_ia="AFTER_30_DAYS")],
            tags={"Name": f"{name}-efs"},
            opts=pulumi.ResourceOptions(
                parent=self, provider=args.aws_provider, protect=args.protect, retain_on_delete=args.protect
            ),
        )
        targets = [
            aws.efs.MountTarget(
                f"{name}-efs-{i}",
                file_system_id=self.file_system.id,
                subnet_id=subnet,
                security_groups=[nfs.id],
                opts=aws_opts,
            )
            for i, subnet in enumerate(args.subnet_ids)
        ]
        self.rwo_class = args.ebs_class
        self.rwx_class = args.efs_class
        _storage_class(
            args.ebs_class,
            gp3_storage_class(args.ebs_class, args.ebs_default, args.ebs_reclaim_policy),
            k8s_opts,
        )
        _storage_class(
            args.efs_class,
            efs_storage_class(
                args.efs_class, self.file_system.id, args.efs_directory_perms, args.efs_reclaim_policy
            ),
            pulumi.ResourceOptions.merge(k8s_opts, pulumi.ResourceOptions(depends_on=targets)),
        )
        self.register_outputs({"fileSystemId": self.file_system.id})


@dataclass(frozen=True)
class VolumeSpec:
    """A PersistentVolumeClaim to create."""

    name: str
    namespace: str
    size: str
    access_mode: str
    storage_class: str


def volume_claim(spec: VolumeSpec) -> dict[str, Any]:
    """The PersistentVolumeClaim manifest (metadata + spec) for `spec`."""
    return {
        "metadata": {
            "name": spec.name,
            "namespace": spec.namespace,
            "labels": {"app.kubernetes.io/part-of": "kfstack"},
        },
        "spec": {
            "accessModes": [spec.access_mode],
            "storageClassName": spec.storage_class,
            "resources": {"requests": {"storage": spec.size}},
        },
    }


@dataclass(frozen=True)
class VolumesArgs:
    """Claims, the provider, and what they wait for (namespaces, storage classes)."""

    volumes: tuple[VolumeSpec, ...]
    provider: k8s.Provider
    protect: bool = False
    depends_on: tuple[pulumi.Resource, ...] = ()


class Volumes(pulumi.ComponentResource):
    """PersistentVolumeClaims that pipeline steps mount; `claims` maps volume name -> claim name."""

    def __init__(self, name: str, args: VolumesArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("kfstack:storage:Volumes", name, None, opts)
        self.claims: dict[str, str] = {}
        for spec in args.volumes:
            manifest = volume_claim(spec)
            k8s.core.v1.PersistentVolumeClaim(
                f"pvc-{spec.name}",
                metadata=manifest["metadata"],
                spec=manifest["spec"],
                opts=pulumi.ResourceOptions(
                    parent=self,
                    provider=args.provider,
                    protect=args.protect,
                    retain_on_delete=args.protect,
                    depends_on=list(args.depends_on),
                ),
            )
            self.claims[spec.name] = spec.name
        self.register_outputs({})


@dataclass(frozen=True)
class ArtifactBucketArgs:
    """The S3 bucket for pipeline artifacts and models."""

    aws_provider: pulumi.ProviderResource
    encryption: str = "aws:kms"
    force_destroy: bool = False
    noncurrent_version_expiration_days: int = 90
    protect: bool = False
    tags: Mapping[str, str] | None = None


class ArtifactBucket(pulumi.ComponentResource):
    """Versioned, encrypted, private S3 bucket (autonamed from the logical name)."""

    bucket: aws.s3.Bucket

    def __init__(
        self, name: str, args: ArtifactBucketArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("kfstack:storage:ArtifactBucket", name, None, opts)
        aws_opts = pulumi.ResourceOptions(parent=self, provider=args.aws_provider)
        self.bucket = aws.s3.Bucket(
            name,
            force_destroy=args.force_destroy,
            tags=dict(args.tags or {}),
            opts=pulumi.ResourceOptions(
                parent=self, provider=args.aws_provider, protect=args.protect, retain_on_delete=args.protect
            ),
        )
        aws.s3.BucketPublicAccessBlock(
            name,
            bucket=self.bucket.id,
            block_public_acls=True,
            block_public_policy=True,
            ignore_public_acls=True,
            restrict_public_buckets=True,
            opts=aws_opts,
        )
        aws.s3.BucketVersioning(
            name,
            bucket=self.bucket.id,
            versioning_configuration=aws.s3.BucketVersioningVersioningConfigurationArgs(status="Enabled"),
            opts=aws_opts,
        )
        aws.s3.BucketServerSideEncryptionConfiguration(
            name,
            bucket=self.bucket.id,
            rules=[
                aws.s3.BucketServerSideEncryptionConfigurationRuleArgs(
                    apply_server_side_encryption_by_default=aws.s3.BucketServerSideEncryptionConfigurationRuleApplyServerSideEncryptionByDefaultArgs(
                        sse_algorithm=args.encryption
                    ),
                    bucket_key_enabled=args.encryption == "aws:kms",
                )
            ],
            opts=aws_opts,
        )
        aws.s3.BucketLifecycleConfiguration(
            name,
            bucket=self.bucket.id,
            rules=[
                aws.s3.BucketLifecycleConfigurationRuleArgs(
                    id="expire-noncurrent-versions",
                    status="Enabled",
                    filter=aws.s3.BucketLifecycleConfigurationRuleFilterArgs(prefix=""),
                    noncurrent_version_expiration=aws.s3.BucketLifecycleConfigurationRuleNoncurrentVersionExpirationArgs(
                        noncurrent_days=args.noncurrent_version_expiration_days
                    ),
                )
            ],
            opts=aws_opts,
        )
        self.register_outputs({"bucket": self.bucket.bucket})
