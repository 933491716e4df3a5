"""The artifact bucket: on EKS unless switched off, protected in prod, never on existing clusters."""

from __future__ import annotations

import json

import pytest


def test_eks_gets_the_bucket_and_prod_protects_all_of_it(plan) -> None:
    (bucket,) = plan("dev").find("aws:s3/bucket:Bucket")
    assert bucket.inputs["forceDestroy"] is True and not bucket.protect
    result = plan("prod")
    (component,) = result.find("kfstack:storage:ArtifactBucket")
    parts = [r for r in result.resources if r.parent == component.urn]
    assert len(parts) == 6
    assert all(r.protect and r.retain_on_delete for r in parts)


@pytest.mark.parametrize("environment", ["dev", "staging", "prod"])
def test_every_eks_plan_shows_the_tls_only_bucket_policy(plan, environment: str) -> None:
    result = plan(environment)
    (policy,) = result.find("aws:s3/bucketPolicy:BucketPolicy")
    (statement,) = json.loads(policy.inputs["policy"])["Statement"]
    assert statement["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
    arn = f"arn:aws:s3:::{policy.inputs['bucket']}"
    assert statement["Effect"] == "Deny" and statement["Resource"] == [arn, f"{arn}/*"]


def test_switched_off_there_is_no_bucket(plan_of) -> None:
    def switch_off(values: dict) -> None:
        values["storage"]["artifactBucket"] = {"enabled": False}
        values["components"]["mlflow"] = {"enabled": False}  # MLflow on EKS needs the bucket

    assert plan_of("dev", switch_off).find("kfstack:storage:ArtifactBucket") == []


def test_an_existing_cluster_has_no_bucket(plan) -> None:
    assert plan("local").find("aws:s3/bucket:Bucket") == []
