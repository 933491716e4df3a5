"""kfstack/ops/s3_backend.py against moto's S3: every setting made, a second run changes nothing,
foreign policy statements and lifecycle rules kept, a drifted setting put back."""

import json

import boto3
import pytest

from kfstack.ops.outcomes import Outcome
from kfstack.ops.s3_backend import (
    LIFECYCLE_RULE_ID,
    TLS_ONLY_SID,
    BackendError,
    S3BackendTarget,
    ensure_s3_backend,
    tls_only_statement,
)

KMS_KEY = "arn:aws:kms:us-west-2:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"


@pytest.fixture
def s3(fake_aws):
    return boto3.client("s3", region_name="us-west-2")


def outcomes(steps):
    return {step.what: step.outcome for step in steps}


def test_first_run_creates_the_bucket_with_every_setting(s3) -> None:
    target = S3BackendTarget("kfstack-state-dev-123456789012", "us-west-2", noncurrent_version_days=30)
    steps = ensure_s3_backend(s3, target)
    assert outcomes(steps)["bucket"] is Outcome.CREATED
    assert all(step.changed for step in steps)
    bucket = target.bucket
    assert s3.get_bucket_location(Bucket=bucket)["LocationConstraint"] == "us-west-2"
    assert s3.get_bucket_versioning(Bucket=bucket)["Status"] == "Enabled"
    rule = s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]["Rules"][0]
    assert rule["ApplyServerSideEncryptionByDefault"] == {"SSEAlgorithm": "AES256"}
    block = s3.get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"]
    assert block == {
        "BlockPublicAcls": True,
        "IgnorePublicAcls": True,
        "BlockPublicPolicy": True,
        "RestrictPublicBuckets": True,
    }
    policy = json.loads(s3.get_bucket_policy(Bucket=bucket)["Policy"])
    (statement,) = policy["Statement"]
    assert statement["Effect"] == "Deny"
    assert statement["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
    assert statement["Resource"] == [f"arn:aws:s3:::{bucket}", f"arn:aws:s3:::{bucket}/*"]
    (lifecycle,) = s3.get_bucket_lifecycle_configuration(Bucket=bucket)["Rules"]
    assert lifecycle["ID"] == LIFECYCLE_RULE_ID
    assert lifecycle["Status"] == "Enabled"
    assert lifecycle["NoncurrentVersionExpiration"]["NoncurrentDays"] == 30


def test_second_run_changes_nothing(s3) -> None:
    target = S3BackendTarget("kfstack-state-dev-123456789012", "us-west-2", KMS_KEY)
    ensure_s3_backend(s3, target)
    before = {
        "policy": s3.get_bucket_policy(Bucket=target.bucket)["Policy"],
        "lifecycle": s3.get_bucket_lifecycle_configuration(Bucket=target.bucket)["Rules"],
    }
    again = ensure_s3_backend(s3, target)
    assert [step.outcome for step in again] == [Outcome.UNCHANGED] * 6
    assert s3.get_bucket_policy(Bucket=target.bucket)["Policy"] == before["policy"]
    assert s3.get_bucket_lifecycle_configuration(Bucket=target.bucket)["Rules"] == before["lifecycle"]


def test_kms_key_gives_sse_kms_with_a_bucket_key(s3) -> None:
    target = S3BackendTarget("kfstack-state-prod-123456789012", "us-west-2", KMS_KEY)
    ensure_s3_backend(s3, target)
    rule = s3.get_bucket_encryption(Bucket=target.bucket)["ServerSideEncryptionConfiguration"]["Rules"][0]
    assert rule["ApplyServerSideEncryptionByDefault"] == {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": KMS_KEY}
    assert rule["BucketKeyEnabled"] is True


def test_us_east_1_bucket_is_created_without_a_location_constraint(fake_aws) -> None:
    s3 = boto3.client("s3", region_name="us-east-1")
    steps = ensure_s3_backend(s3, S3BackendTarget("kfstack-state-prod-123456789012", "us-east-1"))
    assert outcomes(steps)["bucket"] is Outcome.CREATED
    assert s3.get_bucket_location(Bucket="kfstack-state-prod-123456789012")["LocationConstraint"] is None
    assert outcomes(ensure_s3_backend(s3, S3BackendTarget("kfstack-state-prod-123456789012", "us-east-1")))[
        "bucket"
    ] is Outcome.UNCHANGED


def test_existing_bucket_keeps_its_other_policy_statements_and_lifecycle_rules(s3) -> None:
    bucket = "team-state"
    s3.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": "us-west-2"})
    foreign = {
        "Sid": "AllowAudit",
        "Effect": "Allow",
        "Principal": {"AWS": "arn:aws:iam::123456789012:root"},
        "Action": "s3:GetObject",
        "Resource": f"arn:aws:s3:::{bucket}/*",
    }
    s3.put_bucket_policy(Bucket=bucket, Policy=json.dumps({"Version": "2012-10-17", "Statement": [foreign]}))
    other_rule = {"ID": "logs", "Filter": {"Prefix": "logs/"}, "Status": "Enabled", "Expiration": {"Days": 7}}
    s3.put_bucket_lifecycle_configuration(Bucket=bucket, LifecycleConfiguration={"Rules": [other_rule]})
    steps = ensure_s3_backend(s3, S3BackendTarget(bucket, "us-west-2"))
    assert outcomes(steps)["bucket"] is Outcome.UNCHANGED
    assert outcomes(steps)["TLS-only bucket policy"] is Outcome.UPDATED
    statements = json.loads(s3.get_bucket_policy(Bucket=bucket)["Policy"])["Statement"]
    assert [s["Sid"] for s in statements] == ["AllowAudit", TLS_ONLY_SID]
    rules = s3.get_bucket_lifecycle_configuration(Bucket=bucket)["Rules"]
    assert sorted(r["ID"] for r in rules) == sorted(["logs", LIFECYCLE_RULE_ID])


def test_a_drifted_setting_is_put_back_and_only_it_is_reported(s3) -> None:
    target = S3BackendTarget("kfstack-state-dev-123456789012", "us-west-2", noncurrent_version_days=90)
    ensure_s3_backend(s3, target)
    s3.put_bucket_versioning(Bucket=target.bucket, VersioningConfiguration={"Status": "Suspended"})
    changed = S3BackendTarget(target.bucket, target.region, noncurrent_version_days=30)
    steps = ensure_s3_backend(s3, changed)
    assert {step.what for step in steps if step.changed} == {"versioning", "lifecycle"}
    assert s3.get_bucket_versioning(Bucket=target.bucket)["Status"] == "Enabled"
    (rule,) = s3.get_bucket_lifecycle_configuration(Bucket=target.bucket)["Rules"]
    assert rule["NoncurrentVersionExpiration"]["NoncurrentDays"] == 30


def test_bucket_in_another_region_is_refused(s3) -> None:
    boto3.client("s3", region_name="eu-west-1").create_bucket(
        Bucket="elsewhere", CreateBucketConfiguration={"LocationConstraint": "eu-west-1"}
    )
    with pytest.raises(BackendError, match="exists in eu-west-1, not us-west-2"):
        ensure_s3_backend(s3, S3BackendTarget("elsewhere", "us-west-2"))


def test_tls_statement_denies_every_action_over_plain_http() -> None:
    statement = tls_only_statement("b")
    assert statement["Principal"] == "*"
    assert statement["Action"] == "s3:*"


def test_login_url_names_bucket_and_region() -> None:
    assert S3BackendTarget("b", "us-west-2").login_url == "s3://b?region=us-west-2"


def test_a_bucket_of_another_account_is_refused_without_changes() -> None:
    from botocore.stub import Stubber

    s3 = boto3.client("s3", region_name="us-west-2", aws_access_key_id="x", aws_secret_access_key="x")
    with Stubber(s3) as stub:
        stub.add_client_error("head_bucket", "403", "Forbidden", http_status_code=403)
        with pytest.raises(BackendError, match="owned by another account"):
            ensure_s3_backend(s3, S3BackendTarget("taken", "us-west-2"))
        stub.assert_no_pending_responses()


def test_a_globally_taken_name_asks_for_another() -> None:
    from botocore.stub import Stubber

    s3 = boto3.client("s3", region_name="us-west-2", aws_access_key_id="x", aws_secret_access_key="x")
    with Stubber(s3) as stub:
        stub.add_client_error("head_bucket", "404", "Not Found", http_status_code=404)
        stub.add_client_error("create_bucket", "BucketAlreadyExists", "taken", http_status_code=409)
        with pytest.raises(BackendError, match="is taken"):
            ensure_s3_backend(s3, S3BackendTarget("taken", "us-west-2"))
