"""Cluster access: an existing cluster or an EKS cluster, each yielding one explicit
`kubernetes.Provider` that every in-cluster resource uses (never the ambient kubeconfig)."""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from dataclasses import dataclass, field

import pulumi
import pulumi_aws as aws
import pulumi_kubernetes as k8s

from modules.eks_iam import (
    CLUSTER_POLICIES,
    NODE_POLICIES,
    IamRole,
    managed_policy_arn,
    role_with_policies,
    service_trust_policy,
)
from modules.network import NetworkRefs

CLUSTER_ADMIN_POLICY = "arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy"


@dataclass(frozen=True)
class ExistingClusterArgs:
    """A cluster reached through a kubeconfig file and a named context."""

    kubeconfig_path: str
    context: str


class ExistingCluster(pulumi.ComponentResource):
    """An existing cluster (kind, k3d, minikube, any managed cluster); never the ambient context."""

    provider: k8s.Provider

    def __init__(
        self, name: str, args: ExistingClusterArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("kfstack:cluster:ExistingCluster", name, None, opts)
        self.provider = k8s.Provider(
            f"{name}-k8s",
            kubeconfig=os.path.expanduser(args.kubeconfig_path),
            context=args.context,
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.register_outputs({})


@dataclass(frozen=True)
class EksClusterArgs:
    """An EKS control plane, its IAM, OIDC provider and admin access (node groups are separate)."""

    cluster_name: str
    kubernetes_version: str
    region: str
    network: NetworkRefs
    aws_provider: pulumi.ProviderResource
    endpoint_private_access: bool = True
    endpoint_public_access: bool = False
    public_access_cidrs: tuple[str, ...] = ("0.0.0.0/0",)
    encrypt_secrets: bool = True
    kms_key_arn: str | None = None
    log_types: tuple[str, ...] = ("api", "audit", "authenticator")
    log_retention_days: int = 90
    admin_role_arns: tuple[str, ...] = ()
    bootstrap_creator_admin: bool = True
    protect: bool = False
    tags: dict[str, str] = field(default_factory=dict)


def kubeconfig(cluster_name: str, endpoint: str, ca_data: str, region: str) -> str:
    """A kubeconfig (JSON) that authenticates with `aws eks get-token`: it holds no credential."""
    return json.dumps(
        {
            "apiVersion": "v1",
            "kind": "Config",
            "clusters": [
                {"name": cluster_name, "cluster": {"server": endpoint, "certificate-authority-data": ca_data}}
            ],
            "contexts": [{"name": cluster_name, "context": {"cluster": cluster_name, "user": cluster_name}}],
            "current-context": cluster_name,
            "users": [
                {
                    "name": cluster_name,
                    "user": {
                        "exec": {
                            "apiVersion": "client.authentication.k8s.io/v1beta1",
                            "command": "aws",
                            "args": ["eks", "get-token", "--cluster-name", cluster_name, "--region", region],
                            "interactiveMode": "Never",
                        }
                    },
                }
            ],
        },
        sort_keys=True,
    )


def admin_access_names(role_arns: Sequence[str]) -> dict[str, str]:
    """Stable logical names for admin access entries, keyed by role ARN (`admin-<role name>`)."""
    return {arn: f"admin-{arn.rsplit('/', 1)[-1].lower()}" for arn in role_arns}


class EksCluster(pulumi.ComponentResource):
    """EKS control plane with KMS secrets encryption, control-plane logs, IRSA and admin access."""

    provider: k8s.Provider
    cluster: aws.eks.Cluster
    node_role: IamRole
    oidc_provider: aws.iam.OpenIdConnectProvider

    def __init__(self, name: str, args: EksClusterArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("kfstack:cluster:EksCluster", name, None, opts)
        aws_opts = pulumi.ResourceOptions(parent=self, provider=args.aws_provider)
        stateful = pulumi.ResourceOptions(
            parent=self, provider=args.aws_provider, protect=args.protect, retain_on_delete=args.protect
        )
        cluster_role = role_with_policies(
            f"{name}-cluster",
            service_trust_policy("eks.amazonaws.com"),
            [managed_policy_arn(p) for p in CLUSTER_POLICIES],
            self,
            args.aws_provider,
        )
        key_arn: pulumi.Input[str] | None = args.kms_key_arn
        if args.encrypt_secrets and key_arn is None:
            key = aws.kms.Key(
                f"{name}-secrets",
                description=f"EKS secrets encryption for {args.cluster_name}",
                enable_key_rotation=True,
                deletion_window_in_days=30,
                tags=args.tags,
                opts=stateful,
            )
            key_arn = key.arn
        log_group = aws.cloudwatch.LogGroup(
            f"{name}-control-plane",
            name=f"/aws/eks/{args.cluster_name}/cluster",
            retention_in_days=args.log_retention_days,
            tags=args.tags,
            opts=aws_opts,
        )
        self.cluster = aws.eks.Cluster(
            name,
            name=args.cluster_name,
            version=args.kubernetes_version,
            role_arn=cluster_role.role.arn,
            vpc_config=aws.eks.ClusterVpcConfigArgs(
                subnet_ids=list(args.network.private_subnet_ids),
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
            enabled_cluster_log_types=list(args.log_types),
            deletion_protection=args.protect,
            tags=args.tags,
            opts=pulumi.ResourceOptions.merge(
                stateful, pulumi.ResourceOptions(depends_on=[log_group, *cluster_role.attachments])
            ),
        )
        issuer = self.cluster.identities.apply(_oidc_issuer)
        self.oidc_issuer: pulumi.Output[str] = issuer
        self.oidc_provider = aws.iam.OpenIdConnectProvider(
            f"{name}-oidc", url=issuer, client_id_lists=["sts.amazonaws.com"], tags=args.tags, opts=aws_opts
        )
        self.node_role = role_with_policies(
            f"{name}-node",
            service_trust_policy("ec2.amazonaws.com"),
            [managed_policy_arn(p) for p in NODE_POLICIES],
            self,
            args.aws_provider,
        )
        for arn, entry_name in admin_access_names(args.admin_role_arns).items():
            entry = aws.eks.AccessEntry(
                entry_name, cluster_name=self.cluster.name, principal_arn=arn, type="STANDARD", opts=aws_opts
            )
            aws.eks.AccessPolicyAssociation(
                entry_name,
                cluster_name=self.cluster.name,
                principal_arn=arn,
                policy_arn=CLUSTER_ADMIN_POLICY,
                access_scope=aws.eks.AccessPolicyAssociationAccessScopeArgs(type="cluster"),
                opts=pulumi.ResourceOptions.merge(aws_opts, pulumi.ResourceOptions(depends_on=[entry])),
            )
        self.cluster_security_group_id: pulumi.Output[str] = self.cluster.vpc_config.apply(
            lambda vpc: vpc.cluster_security_group_id or ""
        )
        ca_data = self.cluster.certificate_authority.apply(lambda ca: ca.data or "")
        config = pulumi.Output.all(self.cluster.name, self.cluster.endpoint, ca_data).apply(
            lambda a: kubeconfig(a[0], a[1], a[2], args.region)
        )
        self.provider = k8s.Provider(
            f"{name}-k8s", kubeconfig=config, opts=pulumi.ResourceOptions(parent=self)
        )
        self.register_outputs({"clusterName": self.cluster.name, "endpoint": self.cluster.endpoint})


def _oidc_issuer(identities: Sequence[aws.eks.outputs.ClusterIdentity] | None) -> str:
    oidcs = identities[0].oidcs if identities else None
    return (oidcs[0].issuer or "") if oidcs else ""
