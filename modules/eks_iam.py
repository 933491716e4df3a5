"""IAM for EKS: trust policies (service principals and IRSA) and managed-policy ARNs, as pure data."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_aws as aws

CLUSTER_POLICIES = ("AmazonEKSClusterPolicy",)
NODE_POLICIES = (
    "AmazonEKSWorkerNodePolicy",
    "AmazonEC2ContainerRegistryReadOnly",
    "AmazonEKS_CNI_Policy",
    "AmazonSSMManagedInstanceCore",
)
EBS_CSI_POLICY = "service-role/AmazonEBSCSIDriverPolicy"
EFS_CSI_POLICY = "service-role/AmazonEFSCSIDriverPolicy"


def managed_policy_arn(policy: str, partition: str = "aws") -> str:
    """ARN of an AWS-managed IAM policy."""
    return f"arn:{partition}:iam::aws:policy/{policy}"


def arn_parts(arn: str) -> tuple[str, str, str]:
    """(partition, region, account) of an ARN (`arn:aws:eks:us-east-1:123456789012:cluster/x`)."""
    parts = arn.split(":")
    return parts[1], parts[3], parts[4]


def service_trust_policy(service: str) -> str:
    """Trust policy letting an AWS service (eks.amazonaws.com, ec2.amazonaws.com) assume a role."""
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"Service": service},
                    "Action": ["sts:AssumeRole", "sts:TagSession"],
                }
            ],
        },
        sort_keys=True,
    )


def irsa_trust_policy(oidc_provider_arn: str, oidc_issuer: str, namespace: str, service_account: str) -> str:
    """Trust policy for IAM roles for service accounts: only this service account may assume it;
    a `*` in `service_account` matches a family of them (`StringLike`, e.g. `efs-csi-*`)."""
    issuer = oidc_issuer.removeprefix("https://")
    subject = {f"{issuer}:sub": f"system:serviceaccount:{namespace}:{service_account}"}
    audience = {f"{issuer}:aud": "sts.amazonaws.com"}
    condition = (
        {"StringLike": subject, "StringEquals": audience}
        if "*" in service_account
        else {"StringEquals": {**subject, **audience}}
    )
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"Federated": oidc_provider_arn},
                    "Action": "sts:AssumeRoleWithWebIdentity",
                    "Condition": condition,
                }
            ],
        },
        sort_keys=True,
    )


def irsa_trust(
    oidc_provider_arn: pulumi.Input[str], oidc_issuer: pulumi.Input[str], namespace: str, service_account: str
) -> pulumi.Output[str]:
    """`irsa_trust_policy` over outputs (the provider ARN and issuer are known after the cluster)."""

    def render(values: list[Any]) -> str:
        return irsa_trust_policy(str(values[0]), str(values[1]), namespace, service_account)

    return pulumi.Output.all(oidc_provider_arn, oidc_issuer).apply(render)


@dataclass(frozen=True)
class IamRole:
    """A role and the resources attaching its policies (depend on these before using the role)."""

    role: aws.iam.Role
    attachments: tuple[pulumi.Resource, ...]


def role_with_policies(
    name: str,
    trust_policy: pulumi.Input[str],
    policy_arns: Sequence[str],
    opts: pulumi.ResourceOptions,
    inline_policy: pulumi.Input[str] | None = None,
) -> IamRole:
    """An IAM role with AWS-managed policies attached and an optional inline policy (separate resources).

    `opts` is what the calling component gives its children (parent, and through it the provider).
    """
    role = aws.iam.Role(name, assume_role_policy=trust_policy, opts=opts)
    attachments: list[pulumi.Resource] = []
    for arn in policy_arns:
        short = arn.rsplit("/", 1)[-1]
        attachments.append(
            aws.iam.RolePolicyAttachment(f"{name}-{short}", role=role.name, policy_arn=arn, opts=opts)
        )
    if inline_policy is not None:
        attachments.append(aws.iam.RolePolicy(name, role=role.id, policy=inline_policy, opts=opts))
    return IamRole(role, tuple(attachments))


def node_role(name: str, opts: pulumi.ResourceOptions) -> IamRole:
    """A role EC2 worker nodes assume, with the EKS worker policies attached."""
    return role_with_policies(
        name, service_trust_policy("ec2.amazonaws.com"), [managed_policy_arn(p) for p in NODE_POLICIES], opts
    )
