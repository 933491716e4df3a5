"""Storage: class and claim manifests (validated against the Kubernetes schema), EFS, the bucket."""

from __future__ import annotations

import kubernetes_validate
import pulumi_aws as aws
import pulumi_kubernetes as k8s
import pytest

from modules.storage import (
    DEFAULT_CLASS_ANNOTATION,
    ArtifactBucket,
    ArtifactBucketArgs,
    EksStorage,
    EksStorageArgs,
    Volumes,
    VolumesArgs,
    VolumeSpec,
    efs_storage_class,
    gp3_storage_class,
    volume_claim,
)

K8S_VERSION = "1.34"


def _validate(kind: str, api_version: str, manifest: dict) -> None:
    kubernetes_validate.validate(
        {"apiVersion": api_version, "kind": kind, **manifest}, K8S_VERSION, strict=True
    )


def test_gp3_class_is_the_encrypted_wait_for_first_consumer_default() -> None:
    manifest = gp3_storage_class("gp3")
    _validate("StorageClass", "storage.k8s.io/v1", manifest)
    assert manifest["provisioner"] == "ebs.csi.aws.com"
    assert manifest["volumeBindingMode"] == "WaitForFirstConsumer"
    assert manifest["parameters"]["type"] == "gp3" and manifest["parameters"]["encrypted"] == "true"
    assert manifest["metadata"]["annotations"] == {DEFAULT_CLASS_ANNOTATION: "true"}
    assert "annotations" not in gp3_storage_class("gp3", default=False)["metadata"]


def test_efs_class_provisions_access_points() -> None:
    manifest = efs_storage_class("efs", "fs-123", "750", "Retain")
    _validate("StorageClass", "storage.k8s.io/v1", manifest)
    assert manifest["provisioner"] == "efs.csi.aws.com"
    assert manifest["parameters"]["provisioningMode"] == "efs-ap"
    assert manifest["parameters"]["fileSystemId"] == "fs-123"
    assert manifest["parameters"]["directoryPerms"] == "750"
    assert manifest["reclaimPolicy"] == "Retain"


def test_volume_claim_manifest_validates() -> None:
    manifest = volume_claim(VolumeSpec("data", "kubeflow-user", "50Gi", "ReadWriteMany", "efs"))
    _validate("PersistentVolumeClaim", "v1", manifest)
    assert manifest["spec"] == {
        "accessModes": ["ReadWriteMany"],
        "storageClassName": "efs",
        "resources": {"requests": {"storage": "50Gi"}},
    }


def _eks_storage(protect: bool = False) -> None:
    aws_provider = aws.Provider("aws", region="us-west-2")
    provider = k8s.Provider("k8s", kubeconfig="{}")
    EksStorage(
        "storage",
        EksStorageArgs(
            vpc_id="vpc-1",
            vpc_cidr="10.20.0.0/16",
            subnet_ids=["subnet-a", "subnet-b", "subnet-c"],
            aws_provider=aws_provider,
            provider=provider,
            protect=protect,
        ),
    )


def test_eks_storage_creates_efs_with_a_mount_target_per_subnet_and_nfs_from_the_vpc(record) -> None:
    rec = record(_eks_storage)
    fs = rec.one("aws:efs/fileSystem:FileSystem")
    assert fs.inputs["encrypted"] is True
    assert fs.inputs["throughputMode"] == "elastic"
    targets = rec.find("aws:efs/mountTarget:MountTarget")
    assert sorted(t.inputs["subnetId"] for t in targets) == ["subnet-a", "subnet-b", "subnet-c"]
    group = rec.one("aws:ec2/securityGroup:SecurityGroup")
    assert group.inputs["vpcId"] == "vpc-1"
    (rule,) = group.inputs["ingress"]
    assert (rule["protocol"], rule["fromPort"], rule["toPort"], rule["cidrBlocks"]) == (
        "tcp",
        2049,
        2049,
        ["10.20.0.0/16"],
    )
    for target in targets:
        assert target.inputs["securityGroups"][0].startswith("sg-")
        assert group.urn in target.dependencies and fs.urn in target.dependencies
    classes = {c.name: c for c in rec.find("kubernetes:storage.k8s.io/v1:StorageClass")}
    assert set(classes) == {"gp3", "efs"}
    assert classes["efs"].inputs["parameters"]["fileSystemId"].startswith("fs-")
    assert all(t.urn in classes["efs"].dependencies for t in targets)
    assert classes["gp3"].inputs["metadata"]["annotations"] == {DEFAULT_CLASS_ANNOTATION: "true"}
    k8s_provider = rec.one("pulumi:providers:kubernetes", "k8s").urn
    assert all(c.provider == k8s_provider for c in classes.values())
    assert not fs.protect


def test_protected_file_system_is_retained(record) -> None:
    fs = record(lambda: _eks_storage(protect=True)).one("aws:efs/fileSystem:FileSystem")
    assert fs.protect and fs.retain_on_delete


@pytest.mark.parametrize("protect", [True, False])
def test_volumes_are_claims_on_the_explicit_provider(record, protect: bool) -> None:
    def program() -> None:
        provider = k8s.Provider("k8s", kubeconfig="{}")
        Volumes(
            "volumes",
            VolumesArgs(
                (
                    VolumeSpec("data", "kubeflow-user", "1Ti", "ReadWriteMany", "efs"),
                    VolumeSpec("models", "kubeflow-user", "200Gi", "ReadWriteMany", "efs"),
                ),
                provider,
                protect=protect,
            ),
        )

    rec = record(program)
    claims = {c.name: c for c in rec.find("kubernetes:core/v1:PersistentVolumeClaim")}
    assert set(claims) == {"pvc-data", "pvc-models"}
    assert claims["pvc-data"].inputs["spec"]["resources"] == {"requests": {"storage": "1Ti"}}
    assert claims["pvc-data"].inputs["metadata"]["namespace"] == "kubeflow-user"
    provider = rec.one("pulumi:providers:kubernetes", "k8s").urn
    for claim in claims.values():
        assert claim.provider == provider
        assert claim.protect is protect and claim.retain_on_delete is protect


@pytest.mark.parametrize("protect", [True, False])
def test_artifact_bucket_is_versioned_encrypted_and_private(record, protect: bool) -> None:
    def program() -> None:
        provider = aws.Provider("aws", region="us-west-2")
        ArtifactBucket("artifacts", ArtifactBucketArgs(provider, force_destroy=not protect, protect=protect))

    rec = record(program)
    bucket = rec.one("aws:s3/bucket:Bucket", "artifacts")
    assert bucket.inputs["forceDestroy"] is (not protect)
    assert bucket.protect is protect and bucket.retain_on_delete is protect
    block = rec.one("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock").inputs
    switches = ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets")
    assert all(block[k] is True for k in switches)
    versioning = rec.one("aws:s3/bucketVersioning:BucketVersioning").inputs
    assert versioning["versioningConfiguration"] == {"status": "Enabled"}
    (rule,) = rec.one(
        "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration"
    ).inputs["rules"]
    assert rule["applyServerSideEncryptionByDefault"] == {"sseAlgorithm": "aws:kms"}
    for dependent in ("BucketPublicAccessBlock", "BucketVersioning"):
        resource = next(r for r in rec.resources if r.type.endswith(f":{dependent}"))
        assert resource.inputs["bucket"].startswith("artifacts-")  # the bucket's (mocked) autoname
        assert bucket.urn in resource.dependencies
