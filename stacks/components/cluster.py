"""The Kubernetes cluster: an existing one from a kubeconfig context, or an EKS control plane with
its IAM, OIDC provider and admin access. Either way, one explicit provider for everything in it."""

from __future__ import annotations

import base64
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pulumi

from stacks.component_spec import ComponentSpec
from stacks.components.aws import AwsAccount
from stacks.context import StackContext
from stacks.mock_values import MOCK_ACCOUNT, aws_arn, mock_region, named, stable_hex, stable_uuid

if TYPE_CHECKING:
    import pulumi_kubernetes as k8s

    from modules.eks_iam import IamRole
    from modules.network import NetworkRefs
    from stacks.config.environment import EnvironmentConfig


def only_on_eks(what: str) -> Callable[[EnvironmentConfig], str | None]:
    """A `skip_reason` for components that exist only on EKS (`what`: e.g. "Karpenter")."""

    def reason(config: EnvironmentConfig) -> str | None:
        return None if config.cluster.kind == "eks" else f"{what} runs only on EKS"

    return reason


def _eks_cluster_outputs(name: str, inputs: dict[str, Any]) -> dict[str, Any]:
    cluster = named(inputs, "name", name)
    oidc_id = stable_hex(name, 32).upper()
    return {
        "id": cluster,
        "name": cluster,
        "arn": aws_arn("eks", f"cluster/{cluster}"),
        "endpoint": f"https://{oidc_id}.gr7.{mock_region()}.eks.amazonaws.com",
        "certificateAuthority": {"data": base64.b64encode(f"mock-ca-{cluster}".encode()).decode()},
        "identities": [{"oidcs": [{"issuer": f"https://oidc.eks.{mock_region()}.amazonaws.com/id/{oidc_id}"}]}],
        "vpcConfig": {
            **(inputs.get("vpcConfig") or {}),
            "clusterSecurityGroupId": f"sg-{stable_hex(name + '/cluster')}",
        },
        "status": "ACTIVE",
    }


def _role_outputs(name: str, inputs: dict[str, Any]) -> dict[str, Any]:
    role = named(inputs, "name", name)
    return {
        "id": role,
        "name": role,
        "arn": f"arn:aws:iam::{MOCK_ACCOUNT}:role/{role}",
        "uniqueId": f"AROA{stable_hex(name).upper()}",
    }


def _policy_outputs(name: str, inputs: dict[str, Any]) -> dict[str, Any]:
    policy = named(inputs, "name", name)
    arn = f"arn:aws:iam::{MOCK_ACCOUNT}:policy/{policy}"
    return {"id": arn, "name": policy, "arn": arn}


def _oidc_provider_outputs(name: str, inputs: dict[str, Any]) -> dict[str, Any]:
    issuer = f"oidc.eks.{mock_region()}.amazonaws.com/id/{stable_hex(name, 32).upper()}"
    url = str(inputs.get("url") or issuer)
    path = url.removeprefix("https://")
    arn = f"arn:aws:iam::{MOCK_ACCOUNT}:oidc-provider/{path}"
    return {"id": arn, "arn": arn, "url": path}


def _kms_key_outputs(name: str, inputs: dict[str, Any]) -> dict[str, Any]:
    key_id = stable_uuid(name)
    return {"id": key_id, "keyId": key_id, "arn": aws_arn("kms", f"key/{key_id}")}


SPEC = ComponentSpec(
    name="cluster",
    summary="existing cluster (kubeconfig + context) or EKS control plane with IAM, OIDC and access",
    mock_outputs={
        "aws:eks/cluster:Cluster": _eks_cluster_outputs,
        "aws:iam/role:Role": _role_outputs,
        "aws:iam/policy:Policy": _policy_outputs,
        "aws:iam/openIdConnectProvider:OpenIdConnectProvider": _oidc_provider_outputs,
        "aws:kms/key:Key": _kms_key_outputs,
        "aws:cloudwatch/logGroup:LogGroup": lambda name, inputs: {
            "arn": aws_arn("logs", f"log-group:{named(inputs, 'name', name)}")
        },
    },
    replace_on={
        "pulumi:providers:kubernetes": ("kubeconfig", "context"),
        "aws:eks/cluster:Cluster": ("name", "vpcConfig.subnetIds", "encryptionConfig"),
    },
)


@dataclass(frozen=True)
class Eks:
    """What later components need from an EKS cluster."""

    aws: AwsAccount
    network: NetworkRefs
    name: pulumi.Output[str]
    arn: pulumi.Output[str]
    endpoint: pulumi.Output[str]
    oidc_provider_arn: pulumi.Output[str]
    oidc_issuer: pulumi.Output[str]
    node_role: IamRole
    security_group_id: pulumi.Output[str]


@dataclass(frozen=True)
class Cluster:
    """The provider for everything in-cluster, how to reach the cluster outside Pulumi (a kubeconfig
    path or content and its context, for clients such as the KFP providers), and the EKS details
    when the stack created it."""

    provider: k8s.Provider
    kubeconfig: pulumi.Input[str]
    context: str | None
    eks: Eks | None = None

    def options(self) -> pulumi.ResourceOptions:
        """Options placing a component in this cluster."""
        return pulumi.ResourceOptions(providers=[self.provider])


def build_cluster(stack: StackContext, aws: AwsAccount | None, network: NetworkRefs | None) -> Cluster:
    """The environment's cluster: the existing one it names, or EKS created end to end."""
    existing = stack.config.cluster.existing
    if existing is not None:
        from modules.existing_cluster import ExistingCluster, ExistingClusterArgs

        cluster = ExistingCluster("cluster", ExistingClusterArgs(existing.kubeconfig, existing.context))
        return Cluster(cluster.provider, cluster.kubeconfig_path, cluster.context)
    assert aws is not None and network is not None  # an EKS environment has both
    return _eks(stack, aws, network)


def _eks(stack: StackContext, aws: AwsAccount, network: NetworkRefs) -> Cluster:
    from modules.eks_access import EksAdminAccess, EksAdminAccessArgs
    from modules.eks_cluster import EksCluster, EksClusterArgs

    eks = stack.config.cluster.eks
    assert eks is not None
    encryption = eks.secrets_encryption
    cluster = EksCluster(
        "eks",
        EksClusterArgs(
            cluster_name=stack.cluster_name,
            kubernetes_version=stack.config.cluster.kubernetes_version,
            region=eks.region,
            subnet_ids=network.private_subnet_ids,
            endpoint_private_access=eks.endpoint_private_access,
            endpoint_public_access=eks.endpoint_public_access,
            public_access_cidrs=tuple(eks.public_access_cidrs),
            encrypt_secrets=encryption.enabled,
            kms_key_arn=encryption.kms_key_arn if encryption.enabled else None,
            log_types=tuple(eks.control_plane_log_types),
            log_retention_days=eks.log_retention_days,
            bootstrap_creator_admin=eks.bootstrap_creator_admin,
            deletion_protection=stack.config.protect_stateful_resources,
        ),
        opts=stack.stateful(aws.options()),
    )
    if eks.admin_role_arns:
        EksAdminAccess(
            "admin-access",
            EksAdminAccessArgs(cluster.cluster.name, tuple(eks.admin_role_arns)),
            opts=aws.options(),
        )
    pulumi.export("clusterName", cluster.cluster.name)
    pulumi.export("clusterEndpoint", cluster.cluster.endpoint)
    outputs = Eks(
        aws=aws,
        network=network,
        name=cluster.cluster.name,
        arn=cluster.cluster.arn,
        endpoint=cluster.cluster.endpoint,
        oidc_provider_arn=cluster.oidc_provider.arn,
        oidc_issuer=cluster.oidc_issuer,
        node_role=cluster.node_role,
        security_group_id=cluster.cluster_security_group_id,
    )
    return Cluster(cluster.provider, cluster.kubeconfig, None, outputs)
