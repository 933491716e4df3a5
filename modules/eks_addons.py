"""EKS managed addons; the EBS and EFS CSI drivers get IAM roles through IRSA."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from modules.eks_iam import (
    EBS_CSI_POLICY,
    EFS_CSI_POLICY,
    irsa_trust,
    managed_policy_arn,
    role_with_policies,
)
from modules.options import child_options

BEFORE_COMPUTE_ADDONS: tuple[str, ...] = ("vpc-cni", "kube-proxy", "eks-pod-identity-agent")
"""DaemonSet addons a node needs from its first minute, created before the node groups (as
terraform-aws-eks's `before_compute`): without the VPC CNI a node never becomes Ready, without the
pod-identity agent the first Pod Identity pods start without credentials, and the CNI reaches the
API through the `kubernetes` Service address that kube-proxy programs. With
`bootstrapSelfManagedAddons: false` EKS installs none of them itself. Addons that run Deployments
(CoreDNS, the CSI controllers) come after the node groups: they are not ACTIVE without nodes."""


def before_compute(addons: Mapping[str, str | None]) -> dict[str, str | None]:
    """The addons (name -> version) that are created before the node groups."""
    return {name: version for name, version in addons.items() if name in BEFORE_COMPUTE_ADDONS}


def after_compute(addons: Mapping[str, str | None]) -> dict[str, str | None]:
    """The addons (name -> version) that are created once the node groups exist."""
    return {name: version for name, version in addons.items() if name not in BEFORE_COMPUTE_ADDONS}


# addon -> (namespace, service account, managed policy) for addons whose controller calls AWS APIs
IRSA_ADDONS: dict[str, tuple[str, str, str]] = {
    "aws-ebs-csi-driver": ("kube-system", "ebs-csi-controller-sa", EBS_CSI_POLICY),
    # AWS's documented trust for the EFS driver: the controller and the node service accounts
    # (efs-csi-controller-sa, efs-csi-node-sa), which the addon both annotates with the role.
    "aws-efs-csi-driver": ("kube-system", "efs-csi-*", EFS_CSI_POLICY),
}


@dataclass(frozen=True)
class EksAddonsArgs:
    """Addons by name with an optional pinned version (None: EKS's default for the cluster)."""

    cluster_name: pulumi.Input[str]
    addons: Mapping[str, str | None]
    oidc_provider_arn: pulumi.Input[str]
    oidc_issuer: pulumi.Input[str]


class EksAddons(pulumi.ComponentResource):
    """One `aws.eks.Addon` per addon; pass what they must wait for (node groups, for the addons
    after compute) in `opts.depends_on`."""

    def __init__(self, name: str, args: EksAddonsArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("kfstack:cluster:EksAddons", name, None, opts)
        child = child_options(self, opts)
        self.addons: dict[str, aws.eks.Addon] = {}
        for addon, version in args.addons.items():
            role_arn: pulumi.Input[str] | None = None
            extra: list[pulumi.Resource] = []
            if addon in IRSA_ADDONS:
                namespace, account, policy = IRSA_ADDONS[addon]
                trust = irsa_trust(args.oidc_provider_arn, args.oidc_issuer, namespace, account)
                role = role_with_policies(f"{addon}", trust, [managed_policy_arn(policy)], child)
                role_arn = role.role.arn
                extra = list(role.attachments)
            self.addons[addon] = aws.eks.Addon(
                addon,
                cluster_name=args.cluster_name,
                addon_name=addon,
                addon_version=version,
                service_account_role_arn=role_arn,
                resolve_conflicts_on_create="OVERWRITE",
                resolve_conflicts_on_update="PRESERVE",
                opts=pulumi.ResourceOptions.merge(child, pulumi.ResourceOptions(depends_on=extra)),
            )
        self.register_outputs({})
