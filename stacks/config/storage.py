"""`kfstack:storage`: persistent volumes for pipelines and the artifact bucket."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Literal

from pydantic import Field

from stacks.config.base import ConfigModel
from stacks.config.rules import Violation, violation

_QUANTITY = re.compile(r"^[1-9][0-9]*(Mi|Gi|Ti)$")


class VolumeConfig(ConfigModel):
    """A PersistentVolumeClaim that pipelines mount (the reference workflow's `data`, `models`)."""

    size: str = Field(description="Requested size as a Kubernetes quantity, e.g. 50Gi.")
    access_mode: Literal["ReadWriteMany", "ReadWriteOnce"] = Field("ReadWriteMany")
    namespace: str = Field("kubeflow-user", description="Namespace the claim lives in.")
    mount_path: str = Field(description="Where pipeline steps mount the volume, e.g. /mnt/data.")

    def rule_problems(self) -> Iterator[Violation]:
        if not _QUANTITY.match(self.size):
            yield violation("size", "must be a whole quantity in Mi, Gi or Ti, e.g. 50Gi", self.size)
        if not self.mount_path.startswith("/"):
            yield violation("mountPath", "must be an absolute path", self.mount_path)


class ArtifactBucketConfig(ConfigModel):
    """The S3 bucket for pipeline artifacts and models (EKS environments)."""

    enabled: bool = Field(True)
    force_destroy: bool = Field(False, description="Allow deleting a non-empty bucket (never in prod).")


class StorageConfig(ConfigModel):
    """Storage classes are derived from the cluster kind; volumes and the bucket come from here."""

    volumes: dict[str, VolumeConfig] = Field(default_factory=dict, description="PVCs by name.")
    artifact_bucket: ArtifactBucketConfig = Field(default_factory=ArtifactBucketConfig)
