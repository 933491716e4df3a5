"""The S3 bucket for pipeline artifacts and models: versioned, encrypted, private, TLS only."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_aws as aws

from modules.options import child_options
from modules.vocabulary import BucketEncryption


@dataclass(frozen=True)
class ArtifactBucketArgs:
    """Encryption, deletion and version retention of the bucket."""

    encryption: BucketEncryption
    force_destroy: bool
    noncurrent_version_expiration_days: int


def tls_only_policy(bucket_arn: str) -> dict[str, Any]:
    """Bucket policy denying every request not made over TLS, on the bucket and its objects
    (the `aws:SecureTransport` condition of AWS's S3 security best practices)."""
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "DenyInsecureTransport",
                "Effect": "Deny",
                "Principal": "*",
                "Action": "s3:*",
                "Resource": [bucket_arn, f"{bucket_arn}/*"],
                "Condition": {"Bool": {"aws:SecureTransport": "false"}},
            }
        ],
    }


class ArtifactBucket(pulumi.ComponentResource):
    """Bucket (autonamed from the logical name) with public access blocked, a TLS-only policy,
    versioning, default encryption and expiry of superseded versions; protect the component to
    keep the data."""

    bucket: aws.s3.Bucket

    def __init__(
        self, name: str, args: ArtifactBucketArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("kfstack:storage:ArtifactBucket", name, None, opts)
        child = child_options(self, opts)
        self.bucket = aws.s3.Bucket(name, force_destroy=args.force_destroy, opts=child)
        public_access = aws.s3.BucketPublicAccessBlock(
            name,
            bucket=self.bucket.id,
            block_public_acls=True,
            block_public_policy=True,
            ignore_public_acls=True,
            restrict_public_buckets=True,
            opts=child,
        )
        aws.s3.BucketPolicy(
            name,
            bucket=self.bucket.id,
            policy=self.bucket.arn.apply(lambda arn: json.dumps(tls_only_policy(arn))),
            # S3 rejects policy writes racing the public access block of the same bucket.
            opts=pulumi.ResourceOptions.merge(child, pulumi.ResourceOptions(depends_on=[public_access])),
        )
        aws.s3.BucketVersioning(
            name,
            bucket=self.bucket.id,
            versioning_configuration=aws.s3.BucketVersioningVersioningConfigurationArgs(status="Enabled"),
            opts=child,
        )
        aws.s3.BucketServerSideEncryptionConfiguration(
            name,
            bucket=self.bucket.id,
            rules=[
                aws.s3.BucketServerSideEncryptionConfigurationRuleArgs(
                    apply_server_side_encryption_by_default=aws.s3.BucketServerSideEncryptionConfigurationRuleApplyServerSideEncryptionByDefaultArgs(
                        sse_algorithm=args.encryption
                    ),
                    bucket_key_enabled=args.encryption == "aws:kms",
                )
            ],
            opts=child,
        )
        aws.s3.BucketLifecycleConfiguration(
            name,
            bucket=self.bucket.id,
            rules=[
                aws.s3.BucketLifecycleConfigurationRuleArgs(
                    id="expire-noncurrent-versions",
                    status="Enabled",
                    filter=aws.s3.BucketLifecycleConfigurationRuleFilterArgs(prefix=""),
                    noncurrent_version_expiration=aws.s3.BucketLifecycleConfigurationRuleNoncurrentVersionExpirationArgs(
                        noncurrent_days=args.noncurrent_version_expiration_days
                    ),
                )
            ],
            opts=child,
        )
        self.register_outputs({"bucket": self.bucket.bucket})
