"""The S3 artifact bucket of an EKS environment (pipeline artifacts and models)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pulumi

from stacks.component_spec import ComponentSpec
from stacks.components.aws import AwsAccount
from stacks.context import StackContext
from stacks.mock_values import mock_region, stable_hex


def _bucket_outputs(name: str, inputs: dict[str, Any]) -> dict[str, Any]:
    bucket = inputs.get("bucket") or f"{inputs.get('bucketPrefix') or name + '-'}{stable_hex(name, 8)}"
    return {
        "id": bucket,
        "bucket": bucket,
        "arn": f"arn:aws:s3:::{bucket}",
        "bucketRegionalDomainName": f"{bucket}.s3.{mock_region()}.amazonaws.com",
    }


SPEC = ComponentSpec(
    name="artifact-bucket",
    summary="versioned, encrypted, private S3 bucket for artifacts and models (EKS)",
    mock_outputs={"aws:s3/bucket:Bucket": _bucket_outputs},
    replace_on={"aws:s3/bucket:Bucket": ("bucket", "bucketPrefix")},
)


@dataclass(frozen=True)
class ArtifactBucketRefs:
    """What later components need from the bucket: its name, ARN and region."""

    name: pulumi.Output[str]
    arn: pulumi.Output[str]
    region: str


def build_artifact_bucket(stack: StackContext, aws: AwsAccount | None) -> ArtifactBucketRefs | None:
    """The bucket, or None when there is none (existing clusters, or switched off)."""
    config = stack.config.storage.artifact_bucket
    if aws is None or config.enabled is False:
        return None
    from modules.artifact_bucket import ArtifactBucket, ArtifactBucketArgs

    bucket = ArtifactBucket(
        "artifacts",
        ArtifactBucketArgs(
            encryption=config.encryption,
            force_destroy=config.force_destroy,
            noncurrent_version_expiration_days=config.noncurrent_version_expiration_days,
        ),
        opts=stack.stateful(aws.options()),
    )
    pulumi.export("artifactBucket", bucket.bucket.bucket)
    return ArtifactBucketRefs(bucket.bucket.bucket, bucket.bucket.arn, aws.region)
