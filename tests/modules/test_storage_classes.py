"""gp3 and EFS StorageClasses, validated against the Kubernetes schema."""

from __future__ import annotations

import kubernetes_validate
import pulumi
import pulumi_kubernetes as k8s

from modules.storage_classes import (
    DEFAULT_CLASS_ANNOTATION,
    StorageClasses,
    StorageClassesArgs,
    efs_storage_class,
    gp3_storage_class,
)


def _validate(manifest: dict) -> None:
    kubernetes_validate.validate(
        {"apiVersion": "storage.k8s.io/v1", "kind": "StorageClass", **manifest}, "1.34", strict=True
    )


def test_gp3_class_is_the_encrypted_wait_for_first_consumer_default() -> None:
    manifest = gp3_storage_class("gp3", True, "Delete")
    _validate(manifest)
    assert manifest["provisioner"] == "ebs.csi.aws.com"
    assert manifest["volumeBindingMode"] == "WaitForFirstConsumer"
    assert manifest["parameters"]["type"] == "gp3" and manifest["parameters"]["encrypted"] == "true"
    assert manifest["metadata"]["annotations"] == {DEFAULT_CLASS_ANNOTATION: "true"}
    assert "annotations" not in gp3_storage_class("gp3", False, "Delete")["metadata"]


def test_efs_class_provisions_access_points() -> None:
    manifest = efs_storage_class("efs", "fs-123", "750", "Retain")
    _validate(manifest)
    assert manifest["provisioner"] == "efs.csi.aws.com"
    assert manifest["parameters"]["provisioningMode"] == "efs-ap"
    assert manifest["parameters"]["fileSystemId"] == "fs-123"
    assert manifest["parameters"]["directoryPerms"] == "750"
    assert manifest["reclaimPolicy"] == "Retain"


def test_both_classes_are_created_on_the_explicit_provider_after_what_the_caller_names(record) -> None:
    def program() -> None:
        provider = k8s.Provider("k8s", kubeconfig="{}")
        csi = k8s.core.v1.Namespace("csi", opts=pulumi.ResourceOptions(provider=provider))
        classes = StorageClasses(
            "storage-classes",
            StorageClassesArgs("gp3", True, "Retain", "efs", "fs-123", "700", "Retain"),
            opts=pulumi.ResourceOptions(providers=[provider], depends_on=[csi]),
        )
        assert (classes.rwo_class, classes.rwx_class) == ("gp3", "efs")

    rec = record(program)
    classes = {c.name: c for c in rec.find("kubernetes:storage.k8s.io/v1:StorageClass")}
    assert set(classes) == {"gp3", "efs"}
    assert classes["efs"].inputs["parameters"]["fileSystemId"] == "fs-123"
    assert classes["gp3"].inputs["reclaimPolicy"] == "Retain"
    provider = rec.one("pulumi:providers:kubernetes").urn
    csi = rec.one("kubernetes:core/v1:Namespace", "csi").urn
    assert all(c.provider == provider and csi in c.dependencies for c in classes.values())
