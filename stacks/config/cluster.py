"""`kfstack:cluster`: which Kubernetes cluster the platform lives on, and how EKS is built."""

from __future__ import annotations

import difflib
import ipaddress
import re
from collections.abc import Iterator
from typing import Literal

from pydantic import Field

from modules.vocabulary import ControlPlaneLogType, NatPolicy
from stacks.config.aws_values import region_problem, zone_problem
from stacks.config.base import ConfigModel
from stacks.config.rules import Violation, violation
from stacks.config.versions import SUPPORTED_KUBERNETES_VERSIONS

DEFAULT_LOG_TYPES: tuple[ControlPlaneLogType, ...] = ("api", "audit", "authenticator")

REQUIRED_ADDONS: tuple[str, ...] = (
    "vpc-cni",
    "coredns",
    "kube-proxy",
    "aws-ebs-csi-driver",
    "aws-efs-csi-driver",
    "eks-pod-identity-agent",
)
"""EKS managed addons every kfstack cluster runs (storage classes need the two CSI drivers)."""

OPTIONAL_ADDONS: tuple[str, ...] = (
    "snapshot-controller",
    "amazon-cloudwatch-observability",
    "aws-guardduty-agent",
    "metrics-server",
)

_ADDON_VERSION = re.compile(r"^v\d+\.\d+\.\d+-eksbuild\.\d+$")
_ROLE_ARN = re.compile(r"^arn:aws[a-z-]*:iam::\d{12}:role/[\w+=,.@/-]+$")
# EKS CreateCluster `name` (botocore's ClusterName shape): 1-100 characters, alphanumerics, '-', '_'.
_EKS_CLUSTER_NAME = re.compile(r"[0-9A-Za-z][A-Za-z0-9_-]{0,99}", re.ASCII)
# CloudWatch Logs PutRetentionPolicy `retentionInDays` (botocore's logs `Days` shape documents these).
CLOUDWATCH_RETENTION_DAYS = (
    1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
)  # fmt: skip
_KMS_ARN = re.compile(r"^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:(key|alias)/[\w/-]+$")


class ExistingClusterConfig(ConfigModel):
    """A cluster reached through a kubeconfig (kind, k3d, minikube, any managed cluster)."""

    kubeconfig: str = Field("~/.kube/config", description="Path to the kubeconfig file.")
    context: str = Field(description="kubeconfig context to use; never the ambient current context.")
    storage_class_rwo: str = Field("standard", description="Existing ReadWriteOnce StorageClass.")
    storage_class_rwx: str | None = Field(
        None,
        description="Existing ReadWriteMany StorageClass (unset: RWX volumes fall back to RWO, which "
        "shares a volume only between pods on one node; fine for single-node kind/k3d/minikube).",
    )


class VpcConfig(ConfigModel):
    """Create a VPC (public + private subnets per AZ) or use an existing one."""

    id: str | None = Field(None, description="Existing VPC id (vpc-...); unset: kfstack creates the VPC.")
    cidr: str = Field("10.0.0.0/16", description="CIDR of the created VPC (or of the existing one, for NFS).")
    nat_gateways: NatPolicy = Field(
        "single",
        description="NAT for private subnets: none (bring your own egress/endpoints), single, perAz (HA).",
    )
    private_subnet_ids: list[str] = Field(
        default_factory=list, description="Existing private subnets for nodes and EFS (with `id`)."
    )
    public_subnet_ids: list[str] = Field(
        default_factory=list, description="Existing public subnets for load balancers (with `id`)."
    )

    def _subnet_lists(self) -> tuple[tuple[str, list[str]], ...]:
        return (("privateSubnetIds", self.private_subnet_ids), ("publicSubnetIds", self.public_subnet_ids))

    def rule_problems(self) -> Iterator[Violation]:
        try:
            network = ipaddress.ip_network(self.cidr, strict=True)
        except ValueError:
            yield violation("cidr", "not a valid network CIDR (e.g. 10.0.0.0/16)", self.cidr)
            return
        if self.id is None:
            if not 16 <= network.prefixlen <= 20:
                yield violation("cidr", "a created VPC needs a /16 to /20 network", self.cidr)
            for key, ids in self._subnet_lists():
                if ids:
                    yield violation(key, "only allowed with an existing VPC (`id`)")
            return
        if not self.id.startswith("vpc-"):
            yield violation("id", "must be a VPC id (vpc-...)", self.id)
        if len(set(self.private_subnet_ids)) < 2:
            yield violation(
                "privateSubnetIds",
                "an existing VPC needs at least 2 private subnets (in 2 AZs)",
                self.private_subnet_ids,
            )
        for key, ids in self._subnet_lists():
            for i, subnet in enumerate(ids):
                if not subnet.startswith("subnet-"):
                    yield violation((key, i), "must be a subnet id (subnet-...)", subnet)


class SecretsEncryptionConfig(ConfigModel):
    """Envelope encryption of Kubernetes secrets with KMS."""

    enabled: bool = Field(True, description="Encrypt Kubernetes secrets with a KMS key.")
    kms_key_arn: str | None = Field(None, description="Existing KMS key ARN; unset: kfstack creates a key.")

    def rule_problems(self) -> Iterator[Violation]:
        if self.kms_key_arn is not None and not _KMS_ARN.match(self.kms_key_arn):
            yield violation(
                "kmsKeyArn", "must be a KMS key ARN (arn:aws:kms:REGION:ACCOUNT:key/ID)", self.kms_key_arn
            )


class AddonConfig(ConfigModel):
    """An EKS managed addon; the version defaults to EKS's default for the cluster version."""

    version: str | None = Field(None, description="Pinned addon version, e.g. v1.20.1-eksbuild.1.")

    def rule_problems(self) -> Iterator[Violation]:
        if self.version is not None and not _ADDON_VERSION.match(self.version):
            yield violation("version", "must look like v1.2.3-eksbuild.1", self.version)


class EksClusterConfig(ConfigModel):
    """An EKS cluster created with pulumi-aws primitives."""

    region: str = Field(description="AWS region, e.g. us-west-2.")
    name: str | None = Field(None, description="Cluster name; default kfstack-<environment>.")
    availability_zones: list[str] = Field(description="At least two AZs for subnets and node groups.")
    vpc: VpcConfig = Field(default_factory=VpcConfig, description="Created or existing VPC.")
    endpoint_private_access: bool = Field(True, description="Enable the private API endpoint.")
    endpoint_public_access: bool = Field(False, description="Enable the public API endpoint.")
    public_access_cidrs: list[str] = Field(
        default_factory=lambda: ["0.0.0.0/0"], description="CIDRs allowed to reach the public endpoint."
    )
    runner_in_vpc: bool = Field(
        False,
        description="`pulumi up` runs inside the cluster's VPC (or a network routed to it: VPN, peering, "
        "Direct Connect), so a private-only API endpoint is reachable; see docs/infrastructure.md.",
    )
    secrets_encryption: SecretsEncryptionConfig = Field(
        default_factory=SecretsEncryptionConfig, description="KMS encryption of Kubernetes secrets."
    )
    control_plane_log_types: list[ControlPlaneLogType] = Field(
        default_factory=lambda: list(DEFAULT_LOG_TYPES),
        description="Control-plane logs sent to CloudWatch.",
    )
    log_retention_days: int = Field(
        90, ge=1, le=3653, description="CloudWatch retention of control-plane logs."
    )
    addons: dict[str, AddonConfig] = Field(
        default_factory=dict,
        description=f"Addon versions and extra addons; always installed: {', '.join(REQUIRED_ADDONS)}.",
    )
    admin_role_arns: list[str] = Field(default_factory=list, description="IAM roles granted cluster admin.")
    bootstrap_creator_admin: bool = Field(
        True, description="Give the identity that creates the cluster admin access (needed by `pulumi up`)."
    )

    def installed_addons(self) -> dict[str, str | None]:
        """Addon name -> pinned version (None: EKS default), required addons first."""
        versions = {name: addon.version for name, addon in self.addons.items()}
        ordered = {name: versions.get(name) for name in REQUIRED_ADDONS}
        ordered.update({n: v for n, v in sorted(versions.items()) if n not in ordered})
        return ordered

    def rule_problems(self) -> Iterator[Violation]:
        if len(set(self.availability_zones)) < 2:
            yield violation(
                "availabilityZones",
                "EKS needs subnets in at least 2 distinct availability zones",
                self.availability_zones,
            )
        if self.name is not None and not _EKS_CLUSTER_NAME.fullmatch(self.name):
            yield violation(
                "name",
                "an EKS cluster name has 1-100 letters, digits, '-' and '_', starting with a letter or digit",
                self.name,
            )
        if self.log_retention_days not in CLOUDWATCH_RETENTION_DAYS:
            allowed = ", ".join(map(str, CLOUDWATCH_RETENTION_DAYS))
            yield violation(
                "logRetentionDays",
                f"not a retention CloudWatch Logs accepts; one of {allowed}",
                self.log_retention_days,
            )
        kms = self.secrets_encryption.kms_key_arn
        if kms is not None and _KMS_ARN.match(kms) and kms.split(":")[3] != self.region:
            yield violation(
                ("secretsEncryption", "kmsKeyArn"),
                f"a key in region {kms.split(':')[3]}; EKS needs a key in the cluster's region {self.region}",
                kms,
            )
        if why := region_problem(self.region):
            yield violation("region", why, self.region)
        else:
            for i, zone in enumerate(self.availability_zones):
                if why := zone_problem(zone, self.region):
                    yield violation(("availabilityZones", i), why, zone)
        if not (self.endpoint_private_access or self.endpoint_public_access):
            yield violation(
                "endpointPublicAccess", "at least one API endpoint (private or public) must be enabled"
            )
        yield from self._endpoint_access_problems()
        if len(set(self.control_plane_log_types)) != len(self.control_plane_log_types):
            yield violation("controlPlaneLogTypes", "duplicate log types", self.control_plane_log_types)
        known = REQUIRED_ADDONS + OPTIONAL_ADDONS
        for name in self.addons:
            if name not in known:
                hint = difflib.get_close_matches(name, known, n=1, cutoff=0.6)
                more = f"; did you mean '{hint[0]}'?" if hint else ""
                yield violation(("addons", name), f"unknown EKS addon{more} Known: {', '.join(known)}")
        for i, arn in enumerate(self.admin_role_arns):
            if not _ROLE_ARN.match(arn):
                yield violation(
                    ("adminRoleArns", i), "must be an IAM role ARN (arn:aws:iam::ACCOUNT:role/NAME)", arn
                )


    def _endpoint_access_problems(self) -> Iterator[Violation]:
        # The stack creates Kubernetes objects right after the control plane: `pulumi up` has to reach
        # the API, or every in-cluster resource times out.
        if self.endpoint_private_access and not self.endpoint_public_access and not self.runner_in_vpc:
            yield violation(
                "endpointPublicAccess",
                "a private-only API endpoint is unreachable from outside the VPC: enable the public "
                "endpoint restricted to publicAccessCidrs, or set runnerInVpc: true when `pulumi up` "
                "runs inside the VPC (or a network routed to it)",
                False,
            )
        if self.runner_in_vpc and not self.endpoint_private_access:
            yield violation(
                "runnerInVpc", "a runner inside the VPC reaches the API only through endpointPrivateAccess"
            )
        if self.endpoint_public_access and not self.public_access_cidrs:
            yield violation("publicAccessCidrs", "the public endpoint needs at least one allowed CIDR")
        for i, cidr in enumerate(self.public_access_cidrs):
            try:
                ipaddress.ip_network(cidr, strict=True)
            except ValueError:
                yield violation(
                    ("publicAccessCidrs", i), "not a valid network CIDR (e.g. 203.0.113.0/24)", cidr
                )


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
