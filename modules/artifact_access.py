"""Access to the artifact bucket for Kubernetes service accounts: one IAM role that EKS Pod Identity
hands to the named service accounts, allowed exactly that bucket's objects."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from modules.eks_iam import role_with_policies, service_trust_policy
from modules.options import child_options

POD_IDENTITY_PRINCIPAL = "pods.eks.amazonaws.com"
"""The service principal EKS Pod Identity assumes roles as (with sts:TagSession)."""


@dataclass(frozen=True)
class ServiceAccountRef:
    """A Kubernetes service account by namespace and name (it need not exist yet)."""

    namespace: str
    name: str


@dataclass(frozen=True)
class ArtifactAccessArgs:
    """The cluster, the bucket, the service accounts and what they may do (default: read/write it all)."""

    cluster_name: pulumi.Input[str]
    bucket_arn: pulumi.Input[str]
    service_accounts: tuple[ServiceAccountRef, ...]
    policy: Callable[[str], str] | None = None
    """Bucket ARN -> the role's inline policy JSON; None: `bucket_access_policy`."""


def bucket_access_policy(bucket_arn: str) -> str:
    """Least privilege on one bucket: list it, read, write and delete its objects; nothing else.

    No KMS statement: the bucket's SSE-KMS uses the AWS-managed `aws/s3` key, whose key policy already
    lets principals of the account use it through S3 (a customer key would need kms:GenerateDataKey/Decrypt).
    """
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Sid": "ListArtifactBucket",
                    "Effect": "Allow",
                    "Action": ["s3:ListBucket", "s3:GetBucketLocation"],
                    "Resource": bucket_arn,
                },
                {
                    "Sid": "ReadWriteArtifacts",
                    "Effect": "Allow",
                    "Action": ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"],
                    "Resource": f"{bucket_arn}/*",
                },
            ],
        },
        sort_keys=True,
    )


def prefix_read_policy(bucket_arn: str, prefix: str) -> str:
    """Read-only below one key prefix: get its objects and list only its keys; nothing else.

    For model servers: they download a model version's artifacts and never write. ListBucket is a
    bucket action, so the prefix is a condition (`s3:prefix`), not a resource.
    """
    prefix = prefix.strip("/")
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Sid": "ListModelArtifacts",
                    "Effect": "Allow",
                    "Action": "s3:ListBucket",
                    "Resource": bucket_arn,
                    "Condition": {"StringLike": {"s3:prefix": [f"{prefix}/*"]}},
                },
                {
                    "Sid": "ReadModelArtifacts",
                    "Effect": "Allow",
                    "Action": "s3:GetObject",
                    "Resource": f"{bucket_arn}/{prefix}/*",
                },
            ],
        },
        sort_keys=True,
    )


class ArtifactAccess(pulumi.ComponentResource):
    """The role, its inline bucket policy and a Pod Identity association per service account.

    Associations may name accounts that do not exist yet (EKS resolves them when a pod starts); a pod
    started before its association exists has no credentials until it is restarted.
    """

    role: aws.iam.Role
    associations: tuple[aws.eks.PodIdentityAssociation, ...]

    def __init__(
        self, name: str, args: ArtifactAccessArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("kfstack:storage:ArtifactAccess", name, None, opts)
        child = child_options(self, opts)
        policy = args.policy or bucket_access_policy
        iam = role_with_policies(
            name,
            service_trust_policy(POD_IDENTITY_PRINCIPAL),
            [],
            child,
            inline_policy=pulumi.Output.from_input(args.bucket_arn).apply(policy),
        )
        self.role = iam.role
        after_policy = pulumi.ResourceOptions.merge(
            child, pulumi.ResourceOptions(depends_on=list(iam.attachments))
        )
        self.associations = tuple(
            aws.eks.PodIdentityAssociation(
                f"{name}-{account.namespace}-{account.name}",
                cluster_name=args.cluster_name,
                namespace=account.namespace,
                service_account=account.name,
                role_arn=iam.role.arn,
                opts=after_policy,
            )
            for account in args.service_accounts
        )
        self.register_outputs({"roleArn": iam.role.arn})
