"""The artifact bucket: on EKS unless switched off, protected in prod, never on existing clusters."""

from __future__ import annotations


def test_eks_gets_the_bucket_and_prod_protects_all_of_it(plan) -> None:
    (bucket,) = plan("dev").find("aws:s3/bucket:Bucket")
    assert bucket.inputs["forceDestroy"] is True and not bucket.protect
    result = plan("prod")
    (component,) = result.find("kfstack:storage:ArtifactBucket")
    parts = [r for r in result.resources if r.parent == component.urn]
    assert len(parts) == 5
    assert all(r.protect and r.retain_on_delete for r in parts)


def test_switched_off_there_is_no_bucket(plan_of) -> None:
    def switch_off(values: dict) -> None:
        values["storage"]["artifactBucket"] = {"enabled": False}
        values["components"]["mlflow"] = {"enabled": False}  # MLflow on EKS needs the bucket

    assert plan_of("dev", switch_off).find("kfstack:storage:ArtifactBucket") == []


def test_an_existing_cluster_has_no_bucket(plan) -> None:
    assert plan("local").find("aws:s3/bucket:Bucket") == []
