"""The self-managed S3 state backend of a cloud environment, made idempotently with boto3.

Each setting is read first and written only when it differs, so a second run reports every step as
"already configured" and changes nothing. Bucket policy and lifecycle rules that are not kfstack's
are kept: kfstack adds or replaces only its own statement and rule.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import ClientError

from kfstack.ops.aws_errors import error_code
from kfstack.ops.outcomes import Outcome, Step

TLS_ONLY_SID = "kfstack-deny-insecure-transport"
LIFECYCLE_RULE_ID = "kfstack-expire-noncurrent-state"
_PUBLIC_ACCESS_BLOCK = {
    "BlockPublicAcls": True,
    "IgnorePublicAcls": True,
    "BlockPublicPolicy": True,
    "RestrictPublicBuckets": True,
}


class BackendError(Exception):
    """The bucket cannot be the backend (taken by another account, in another region)."""


@dataclass(frozen=True)
class S3BackendTarget:
    """The bucket kfstack makes the environment's state backend."""

    bucket: str
    region: str
    kms_key_arn: str | None = None
    noncurrent_version_days: int = 90

    @property
    def login_url(self) -> str:
        return f"s3://{self.bucket}?region={self.region}"


def ensure_s3_backend(s3: Any, target: S3BackendTarget) -> list[Step]:
    """Create or align the bucket and each of its settings; returns one Step per setting."""
    return [
        _ensure_bucket(s3, target),
        _ensure_versioning(s3, target.bucket),
        _ensure_encryption(s3, target),
        _ensure_public_access_block(s3, target.bucket),
        _ensure_tls_only_policy(s3, target.bucket),
        _ensure_lifecycle(s3, target),
    ]


def _ensure_bucket(s3: Any, target: S3BackendTarget) -> Step:
    try:
        s3.head_bucket(Bucket=target.bucket)
    except ClientError as error:
        status = error.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
        if status == 403 or error_code(error) == "403":
            raise BackendError(
                f"bucket {target.bucket} exists but this account cannot use it (owned by another "
                "account, or no s3:ListBucket permission); set kfstack:stateBackend.bucket to another name"
            ) from None
        if status != 404 and error_code(error) not in ("404", "NoSuchBucket", "NotFound"):
            raise
        return _create_bucket(s3, target)
    location = s3.get_bucket_location(Bucket=target.bucket).get("LocationConstraint") or "us-east-1"
    if location != target.region:
        raise BackendError(
            f"bucket {target.bucket} exists in {location}, not {target.region}; set "
            "kfstack:stateBackend.region to match or choose another bucket name"
        )
    return Step("bucket", Outcome.UNCHANGED, f"{target.bucket} ({target.region})")


def _create_bucket(s3: Any, target: S3BackendTarget) -> Step:
    arguments: dict[str, Any] = {"Bucket": target.bucket}
    if target.region != "us-east-1":  # us-east-1 rejects an explicit location constraint
        arguments["CreateBucketConfiguration"] = {"LocationConstraint": target.region}
    try:
        s3.create_bucket(**arguments)
    except ClientError as error:
        if error_code(error) == "BucketAlreadyExists":
            raise BackendError(
                f"bucket name {target.bucket} is taken (S3 names are global); set "
                "kfstack:stateBackend.bucket to another name"
            ) from None
        raise
    return Step("bucket", Outcome.CREATED, f"{target.bucket} ({target.region})")


def _ensure_versioning(s3: Any, bucket: str) -> Step:
    if s3.get_bucket_versioning(Bucket=bucket).get("Status") == "Enabled":
        return Step("versioning", Outcome.UNCHANGED, "Enabled")
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    return Step("versioning", Outcome.UPDATED, "Enabled")


def _wanted_encryption(target: S3BackendTarget) -> dict[str, Any]:
    if target.kms_key_arn is None:
        return {"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}, "BucketKeyEnabled": False}
    return {
        "ApplyServerSideEncryptionByDefault": {
            "SSEAlgorithm": "aws:kms",
            "KMSMasterKeyID": target.kms_key_arn,
        },
        "BucketKeyEnabled": True,  # one KMS data key per bucket, not per object: fewer KMS requests
    }


def _ensure_encryption(s3: Any, target: S3BackendTarget) -> Step:
    wanted = _wanted_encryption(target)
    detail = "SSE-KMS " + target.kms_key_arn if target.kms_key_arn else "SSE-S3 (AES256)"
    try:
        rules = s3.get_bucket_encryption(Bucket=target.bucket)["ServerSideEncryptionConfiguration"]["Rules"]
    except ClientError as error:
        if error_code(error) != "ServerSideEncryptionConfigurationNotFoundError":
            raise
        rules = []
    current = rules[0] if len(rules) == 1 else None
    if current is not None and _same_encryption(current, wanted):
        return Step("default encryption", Outcome.UNCHANGED, detail)
    s3.put_bucket_encryption(Bucket=target.bucket, ServerSideEncryptionConfiguration={"Rules": [wanted]})
    return Step("default encryption", Outcome.UPDATED, detail)


def _same_encryption(current: dict[str, Any], wanted: dict[str, Any]) -> bool:
    have = current.get("ApplyServerSideEncryptionByDefault", {})
    want = wanted["ApplyServerSideEncryptionByDefault"]
    if have.get("SSEAlgorithm") != want["SSEAlgorithm"]:
        return False
    if want["SSEAlgorithm"] == "AES256":
        return True
    return (
        have.get("KMSMasterKeyID") == want["KMSMasterKeyID"]
        and bool(current.get("BucketKeyEnabled")) == wanted["BucketKeyEnabled"]
    )


def _ensure_public_access_block(s3: Any, bucket: str) -> Step:
    try:
        current = s3.get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"]
    except ClientError as error:
        if error_code(error) != "NoSuchPublicAccessBlockConfiguration":
            raise
        current = {}
    if all(current.get(key) is True for key in _PUBLIC_ACCESS_BLOCK):
        return Step("public access block", Outcome.UNCHANGED, "all four blocks on")
    s3.put_public_access_block(Bucket=bucket, PublicAccessBlockConfiguration=dict(_PUBLIC_ACCESS_BLOCK))
    return Step("public access block", Outcome.UPDATED, "all four blocks on")


def tls_only_statement(bucket: str) -> dict[str, Any]:
    """Deny every S3 action on the bucket and its objects over plain HTTP."""
    return {
        "Sid": TLS_ONLY_SID,
        "Effect": "Deny",
        "Principal": "*",
        "Action": "s3:*",
        "Resource": [f"arn:aws:s3:::{bucket}", f"arn:aws:s3:::{bucket}/*"],
        "Condition": {"Bool": {"aws:SecureTransport": "false"}},
    }


def _ensure_tls_only_policy(s3: Any, bucket: str) -> Step:
    try:
        policy = json.loads(s3.get_bucket_policy(Bucket=bucket)["Policy"])
    except ClientError as error:
        if error_code(error) != "NoSuchBucketPolicy":
            raise
        policy = {"Version": "2012-10-17", "Statement": []}
    statements = policy.get("Statement", [])
    if isinstance(statements, dict):
        statements = [statements]
    wanted = tls_only_statement(bucket)
    if wanted in statements:
        return Step("TLS-only bucket policy", Outcome.UNCHANGED, "aws:SecureTransport false: Deny")
    others = [s for s in statements if s.get("Sid") != TLS_ONLY_SID]
    policy["Statement"] = [*others, wanted]
    s3.put_bucket_policy(Bucket=bucket, Policy=json.dumps(policy))
    return Step("TLS-only bucket policy", Outcome.UPDATED, "aws:SecureTransport false: Deny")


def lifecycle_rule(days: int) -> dict[str, Any]:
    """Expire state versions `days` after they were overwritten; the current state is never expired."""
    return {
        "ID": LIFECYCLE_RULE_ID,
        "Filter": {"Prefix": ""},
        "Status": "Enabled",
        "NoncurrentVersionExpiration": {"NoncurrentDays": days},
    }


def _ensure_lifecycle(s3: Any, target: S3BackendTarget) -> Step:
    try:
        rules = s3.get_bucket_lifecycle_configuration(Bucket=target.bucket)["Rules"]
    except ClientError as error:
        if error_code(error) != "NoSuchLifecycleConfiguration":
            raise
        rules = []
    detail = f"noncurrent versions expire after {target.noncurrent_version_days} days"
    wanted = lifecycle_rule(target.noncurrent_version_days)
    ours = [r for r in rules if r.get("ID") == LIFECYCLE_RULE_ID]
    if len(ours) == 1 and _same_rule(ours[0], wanted):
        return Step("lifecycle", Outcome.UNCHANGED, detail)
    others = [r for r in rules if r.get("ID") != LIFECYCLE_RULE_ID]
    s3.put_bucket_lifecycle_configuration(
        Bucket=target.bucket, LifecycleConfiguration={"Rules": [*others, wanted]}
    )
    return Step("lifecycle", Outcome.UPDATED, detail)


def _same_rule(current: dict[str, Any], wanted: dict[str, Any]) -> bool:
    # S3 may return the empty-prefix filter as {} or {"Prefix": ""}
    same_filter = current.get("Filter", {}).get("Prefix", "") == "" and not (
        set(current.get("Filter", {})) - {"Prefix"}
    )
    noncurrent = current.get("NoncurrentVersionExpiration", {})
    return (
        same_filter
        and current.get("Status") == "Enabled"
        and noncurrent.get("NoncurrentDays") == wanted["NoncurrentVersionExpiration"]["NoncurrentDays"]
        and not set(current) - {"ID", "Filter", "Status", "NoncurrentVersionExpiration", "Prefix"}
    )
