"""`kfstack:cluster`: which Kubernetes cluster the platform lives on."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Literal

from pydantic import Field

from stacks.config.base import ConfigModel
from stacks.config.rules import Violation, violation
from stacks.config.versions import SUPPORTED_KUBERNETES_VERSIONS


class ExistingClusterConfig(ConfigModel):
    """A cluster reached through a kubeconfig (kind, k3d, minikube, any managed cluster)."""

    kubeconfig: str = Field("~/.kube/config", description="Path to the kubeconfig file.")
    context: str = Field(description="kubeconfig context to use; never the ambient current context.")
    storage_class_rwo: str = Field("standard", description="Existing ReadWriteOnce StorageClass.")
    storage_class_rwx: str | None = Field(
        None, description="Existing ReadWriteMany StorageClass (None: RWX volumes fall back to RWO)."
    )


class EksClusterConfig(ConfigModel):
    """An EKS cluster created with pulumi-aws primitives (filled in by the infrastructure layer)."""

    region: str = Field(description="AWS region, e.g. us-west-2.")
    availability_zones: list[str] = Field(description="At least two AZs for subnets and node groups.")
    endpoint_private_access: bool = Field(True, description="Enable the private API endpoint.")
    endpoint_public_access: bool = Field(False, description="Enable the public API endpoint.")
    admin_role_arns: list[str] = Field(default_factory=list, description="IAM roles granted cluster admin.")

    def rule_problems(self) -> Iterator[Violation]:
        if len(set(self.availability_zones)) < 2:
            yield violation(
                "availabilityZones",
                "EKS needs subnets in at least 2 distinct availability zones",
                self.availability_zones,
            )
        if not (self.endpoint_private_access or self.endpoint_public_access):
            yield violation("endpointPublicAccess", "at least one API endpoint (private or public) must be enabled")


class ClusterConfig(ConfigModel):
    """Where the platform runs and which Kubernetes version it targets."""

    kind: Literal["existing", "eks"] = Field(description="`existing` (kubeconfig) or `eks` (created).")
    kubernetes_version: str = Field(description="Kubernetes minor version, e.g. '1.33'.")
    existing: ExistingClusterConfig | None = Field(None, description="Settings when kind is `existing`.")
    eks: EksClusterConfig | None = Field(None, description="Settings when kind is `eks`.")

    def rule_problems(self) -> Iterator[Violation]:
        if self.kubernetes_version not in SUPPORTED_KUBERNETES_VERSIONS:
            yield violation(
                "kubernetesVersion",
                f"unsupported Kubernetes version; supported: {', '.join(SUPPORTED_KUBERNETES_VERSIONS)}",
                self.kubernetes_version,
            )
        for kind in ("existing", "eks"):
            block = getattr(self, kind)
            if self.kind == kind and block is None:
                yield violation(kind, f"required when cluster.kind is '{kind}'")
            if self.kind != kind and block is not None:
                yield violation(kind, f"only allowed when cluster.kind is '{kind}' (kind is '{self.kind}')")
