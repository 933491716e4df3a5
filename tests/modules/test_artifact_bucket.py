"""The artifact bucket: versioned, encrypted, private, TLS only; protected as a whole when asked."""

from __future__ import annotations

import json

import pulumi
import pulumi_aws as aws
import pytest

from modules.artifact_bucket import ArtifactBucket, ArtifactBucketArgs


@pytest.mark.parametrize("protect", [True, False])
def test_artifact_bucket_is_versioned_encrypted_and_private(record, protect: bool) -> None:
    def program() -> None:
        provider = aws.Provider("aws", region="us-west-2")
        ArtifactBucket(
            "artifacts",
            ArtifactBucketArgs("aws:kms", force_destroy=not protect, noncurrent_version_expiration_days=30),
            opts=pulumi.ResourceOptions(providers=[provider], protect=protect, retain_on_delete=protect),
        )

    rec = record(program)
    bucket = rec.one("aws:s3/bucket:Bucket", "artifacts")
    assert bucket.inputs["forceDestroy"] is (not protect)
    block = rec.one("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock").inputs
    switches = ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets")
    assert all(block[k] is True for k in switches)
    versioning = rec.one("aws:s3/bucketVersioning:BucketVersioning").inputs
    assert versioning["versioningConfiguration"] == {"status": "Enabled"}
    (rule,) = rec.one(
        "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration"
    ).inputs["rules"]
    assert rule == {"applyServerSideEncryptionByDefault": {"sseAlgorithm": "aws:kms"}, "bucketKeyEnabled": True}
    (lifecycle,) = rec.one("aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration").inputs["rules"]
    assert lifecycle["noncurrentVersionExpiration"] == {"noncurrentDays": 30}
    for resource in rec.children_of(rec.one("kfstack:storage:ArtifactBucket")):
        assert resource.protect is protect and resource.retain_on_delete is protect, resource.name
        if resource is not bucket:
            assert resource.inputs["bucket"].startswith("artifacts-")  # the bucket's (mocked) autoname
            assert bucket.urn in resource.dependencies


def test_aes256_encryption_uses_no_bucket_key(record) -> None:
    def program() -> None:
        ArtifactBucket("artifacts", ArtifactBucketArgs("AES256", False, 90))

    (rule,) = record(program).one(
        "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration"
    ).inputs["rules"]
    assert rule == {"applyServerSideEncryptionByDefault": {"sseAlgorithm": "AES256"}, "bucketKeyEnabled": False}


def test_the_bucket_policy_denies_requests_without_tls_on_bucket_and_objects(record) -> None:
    def program() -> None:
        ArtifactBucket("artifacts", ArtifactBucketArgs("AES256", False, 90))

    rec = record(program)
    bucket = rec.one("aws:s3/bucket:Bucket", "artifacts").inputs
    policy = rec.one("aws:s3/bucketPolicy:BucketPolicy")
    (statement,) = json.loads(policy.inputs["policy"])["Statement"]
    arn = f"arn:aws:s3:::{policy.inputs['bucket']}"
    assert statement["Effect"] == "Deny" and statement["Principal"] == "*" and statement["Action"] == "s3:*"
    assert statement["Resource"] == [arn, f"{arn}/*"]
    assert statement["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
    assert rec.one("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock").urn in policy.dependencies
    assert bucket["forceDestroy"] is False
