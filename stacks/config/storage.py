"""`kfstack:storage`: storage classes, persistent volumes for pipelines and the artifact bucket."""

from __future__ import annotations

import re
from collections.abc import Iterator

from pydantic import Field

from modules.vocabulary import AccessMode, BucketEncryption, EfsThroughputMode, ReclaimPolicy
from stacks.config.base import ConfigModel
from stacks.config.kubernetes_names import dns_label_problem, dns_subdomain_problem
from stacks.config.rules import Violation, violation

_QUANTITY = re.compile(r"^[1-9][0-9]*(Mi|Gi|Ti)$")
_PERMS = re.compile(r"^[0-7]{3}$")


class VolumeConfig(ConfigModel):
    """A PersistentVolumeClaim that pipelines mount (the reference workflow's `data`, `models`)."""

    size: str = Field(description="Requested size as a Kubernetes quantity, e.g. 50Gi.")
    access_mode: AccessMode = Field(
        "ReadWriteMany", description="ReadWriteMany (EFS on EKS) lets parallel steps share the volume."
    )
    namespace: str | None = Field(
        None, description="Namespace of the claim; default: the pipelines namespace."
    )
    mount_path: str = Field(description="Where pipeline steps mount the volume, e.g. /mnt/data.")

    def rule_problems(self) -> Iterator[Violation]:
        if not _QUANTITY.match(self.size):
            yield violation("size", "must be a whole quantity in Mi, Gi or Ti, e.g. 50Gi", self.size)
        if not self.mount_path.startswith("/"):
            yield violation("mountPath", "must be an absolute path", self.mount_path)
        if self.namespace is not None and (why := dns_label_problem(self.namespace)):
            yield violation("namespace", why, self.namespace)


class ArtifactBucketConfig(ConfigModel):
    """The S3 bucket for pipeline artifacts and models (EKS environments)."""

    enabled: bool | None = Field(
        None, description="Create the bucket; default: yes on EKS, no on existing clusters (EKS only)."
    )
    force_destroy: bool = Field(False, description="Allow deleting a non-empty bucket (never in prod).")
    encryption: BucketEncryption = Field("aws:kms", description="Server-side encryption.")
    noncurrent_version_expiration_days: int = Field(
        90, ge=1, description="Delete superseded object versions after this many days."
    )


class EbsClassConfig(ConfigModel):
    """The gp3 EBS StorageClass (ReadWriteOnce, the cluster default on EKS)."""

    name: str = Field("gp3", description="StorageClass name.")
    default: bool = Field(True, description="Mark as the default class (EKS >= 1.30 has none).")
    reclaim_policy: ReclaimPolicy = Field("Delete", description="PV reclaim policy.")


class EfsConfig(ConfigModel):
    """The EFS file system and its StorageClass (ReadWriteMany, access-point provisioning)."""

    class_name: str = Field("efs", description="StorageClass name.")
    throughput_mode: EfsThroughputMode = Field("elastic", description="EFS throughput mode.")
    directory_perms: str = Field("700", description="Permissions of each access point's root directory.")
    reclaim_policy: ReclaimPolicy = Field("Delete", description="PV reclaim policy.")

    def rule_problems(self) -> Iterator[Violation]:
        if not _PERMS.match(self.directory_perms):
            yield violation("directoryPerms", "must be three octal digits, e.g. 700", self.directory_perms)


class StorageConfig(ConfigModel):
    """Storage classes (EKS), volumes and the bucket; existing clusters name their classes in `cluster`."""

    volumes: dict[str, VolumeConfig] = Field(default_factory=dict, description="PVCs by name.")
    artifact_bucket: ArtifactBucketConfig = Field(
        default_factory=ArtifactBucketConfig, description="S3 bucket for artifacts and models (EKS)."
    )
    ebs: EbsClassConfig = Field(default_factory=EbsClassConfig, description="gp3 class (EKS).")
    efs: EfsConfig = Field(default_factory=EfsConfig, description="EFS file system and class (EKS).")

    def rule_problems(self) -> Iterator[Violation]:
        for name in self.volumes:
            if why := dns_label_problem(name):
                yield violation(("volumes", name), f"the volume's name is its PVC's: {why}", name)
        classes = ((("ebs", "name"), self.ebs.name), (("efs", "className"), self.efs.class_name))
        for path, class_name in classes:
            if why := dns_subdomain_problem(class_name):
                yield violation(path, why, class_name)
        if self.ebs.name == self.efs.class_name:
            yield violation(("efs", "className"), "must differ from ebs.name", self.efs.class_name)
