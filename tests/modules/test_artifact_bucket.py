"""The artifact bucket: versioned, encrypted, private; protected as a whole when asked."""

from __future__ import annotations

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
