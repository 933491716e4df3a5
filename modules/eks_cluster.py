"""An EKS control plane with KMS secrets encryption, control-plane logs, IRSA and the node role,
yielding the one explicit `kubernetes.Provider` every in-cluster resource uses."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_aws as aws
import pulumi_kubernetes as k8s

from modules.eks_iam import (
    CLUSTER_POLICIES,
    IamRole,
    managed_policy_arn,
    node_role,
    role_with_policies,
    service_trust_policy,
)
from modules.kubeconfig import eks_kubeconfig
from modules.options import child_options
from modules.vocabulary import ControlPlaneLogType

ENCRYPTION_KEY_ACTIONS = ("kms:Encrypt", "kms:Decrypt", "kms:ListGrants", "kms:DescribeKey")
"""What the control plane does with the secrets key (terraform-aws-eks's cluster_encryption policy)."""


def encryption_key_policy(key_arn: str) -> dict[str, Any]:
    """The cluster role's policy on the secrets-encryption key: a key whose key policy delegates to
    IAM (a created key's default, most existing keys) is usable by the role only through it."""
    return {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": list(ENCRYPTION_KEY_ACTIONS), "Resource": key_arn}],
    }


@dataclass(frozen=True)
class EksClusterArgs:
    """The control plane's settings (node groups, addons and access entries are separate components)."""

    cluster_name: str
    kubernetes_version: str
    region: str
    subnet_ids: Sequence[pulumi.Input[str]]
    endpoint_private_access: bool
    endpoint_public_access: bool
    public_access_cidrs: tuple[str, ...]
    encrypt_secrets: bool
    kms_key_arn: str | None
    """An existing key for secrets encryption; None with `encrypt_secrets` creates one."""
    log_types: tuple[ControlPlaneLogType, ...]
    log_retention_days: int
    bootstrap_creator_admin: bool
    deletion_protection: bool
    """AWS-side deletion protection of the cluster (besides Pulumi's `protect` option)."""


class EksCluster(pulumi.ComponentResource):
    """EKS control plane, its IAM roles, the secrets key, the log group and the OIDC provider.

    Protecting the component (`opts.protect`, as prod does) protects all of it: the cluster and
    its key hold state, and the roles and OIDC provider are what keep them working.
    """

    provider: k8s.Provider
    cluster: aws.eks.Cluster
    node_role: IamRole
    oidc_provider: aws.iam.OpenIdConnectProvider
    oidc_issuer: pulumi.Output[str]
    cluster_security_group_id: pulumi.Output[str]
    kubeconfig: pulumi.Output[str]

    def __init__(self, name: str, args: EksClusterArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("kfstack:cluster:EksCluster", name, None, opts)
        child = child_options(self, opts)
        cluster_role = role_with_policies(
            f"{name}-cluster",
            service_trust_policy("eks.amazonaws.com"),
            [managed_policy_arn(p) for p in CLUSTER_POLICIES],
            child,
        )
        key_arn: pulumi.Input[str] | None = args.kms_key_arn
        if args.encrypt_secrets and key_arn is None:
            key = aws.kms.Key(
                f"{name}-secrets",
                description=f"EKS secrets encryption for {args.cluster_name}",
                enable_key_rotation=True,
                deletion_window_in_days=30,
                opts=child,
            )
            key_arn = key.arn
        log_group = aws.cloudwatch.LogGroup(
            f"{name}-control-plane",
            name=f"/aws/eks/{args.cluster_name}/cluster",
            retention_in_days=args.log_retention_days,
            opts=child,
        )
        # The control plane must be able to use the key before it encrypts its first secret.
        before_cluster: list[pulumi.Resource] = [log_group, *cluster_role.attachments]
        if key_arn is not None:
            before_cluster.append(
                aws.iam.RolePolicy(
                    f"{name}-cluster-encryption",
                    role=cluster_role.role.name,
                    policy=pulumi.Output.from_input(key_arn).apply(
                        lambda arn: json.dumps(encryption_key_policy(arn))
                    ),
                    opts=child,
                )
            )
        self.cluster = aws.eks.Cluster(
            name,
            name=args.cluster_name,
            version=args.kubernetes_version,
            role_arn=cluster_role.role.arn,
            vpc_config=aws.eks.ClusterVpcConfigArgs(
                subnet_ids=list(args.subnet_ids),
                endpoint_private_access=args.endpoint_private_access,
                endpoint_public_access=args.endpoint_public_access,
                public_access_cidrs=list(args.public_access_cidrs) if args.endpoint_public_access else None,
            ),
            access_config=aws.eks.ClusterAccessConfigArgs(
                authentication_mode="API",
                bootstrap_cluster_creator_admin_permissions=args.bootstrap_creator_admin,
            ),
            encryption_config=(
                aws.eks.ClusterEncryptionConfigArgs(
                    provider=aws.eks.ClusterEncryptionConfigProviderArgs(key_arn=key_arn),
                    resources=["secrets"],
                )
                if key_arn is not None
                else None
            ),
            # VPC CNI, kube-proxy and CoreDNS come as managed addons (modules/eks_addons.py), not
            # as the self-managed copies EKS would otherwise install and leave unmanaged.
            bootstrap_self_managed_addons=False,
            enabled_cluster_log_types=list(args.log_types),
            deletion_protection=args.deletion_protection,
            opts=pulumi.ResourceOptions.merge(
                child,
                pulumi.ResourceOptions(depends_on=before_cluster),
            ),
        )
        self.oidc_issuer = self.cluster.identities.apply(_oidc_issuer)
        self.oidc_provider = aws.iam.OpenIdConnectProvider(
            f"{name}-oidc", url=self.oidc_issuer, client_id_lists=["sts.amazonaws.com"], opts=child
        )
        self.node_role = node_role(f"{name}-node", child)
        self.cluster_security_group_id = self.cluster.vpc_config.apply(
            lambda vpc: vpc.cluster_security_group_id or ""
        )
        ca_data = self.cluster.certificate_authority.apply(lambda ca: ca.data or "")
        self.kubeconfig = pulumi.Output.all(self.cluster.name, self.cluster.endpoint, ca_data).apply(
            lambda a: eks_kubeconfig(a[0], a[1], a[2], args.region)
        )
        self.provider = k8s.Provider(f"{name}-k8s", kubeconfig=self.kubeconfig, opts=child)
        self.register_outputs({"clusterName": self.cluster.name, "endpoint": self.cluster.endpoint})


def _oidc_issuer(identities: Sequence[aws.eks.outputs.ClusterIdentity] | None) -> str:
    oidcs = identities[0].oidcs if identities else None
    return (oidcs[0].issuer or "") if oidcs else ""
