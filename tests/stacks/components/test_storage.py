"""The storage builder: EFS and both classes on EKS (the file system protected in prod), the named
classes of an existing cluster."""

from __future__ import annotations

from stacks.components.storage import Storage, planned_storage


def test_eks_gets_a_default_gp3_class_and_an_efs_class_on_its_file_system(plan) -> None:
    result = plan("dev")
    classes = {c.name: c.inputs for c in result.find("kubernetes:storage.k8s.io/v1:StorageClass")}
    assert classes["gp3"]["provisioner"] == "ebs.csi.aws.com"
    assert classes["gp3"]["metadata"]["annotations"] == {"storageclass.kubernetes.io/is-default-class": "true"}
    assert classes["efs"]["provisioner"] == "efs.csi.aws.com"
    (fs,) = result.find("aws:efs/fileSystem:FileSystem")
    assert fs.inputs["encrypted"] is True
    assert len(result.find("aws:efs/mountTarget:MountTarget")) == 2


def test_classes_wait_for_the_csi_addons_and_the_mount_targets(plan, custom_parts) -> None:
    result = plan("dev")
    waits = custom_parts(result, "kfstack:cluster:EksAddons")
    waits |= {r.urn for r in result.find("aws:efs/mountTarget:MountTarget")}
    for storage_class in result.find("kubernetes:storage.k8s.io/v1:StorageClass"):
        assert waits <= set(storage_class.dependencies)


def test_prod_protects_the_file_system_but_not_the_classes(plan) -> None:
    result = plan("prod")
    (efs,) = result.find("kfstack:storage:EfsFileSystem")
    for resource in [efs, *(r for r in result.resources if r.parent == efs.urn)]:
        assert resource.protect and resource.retain_on_delete, resource.name
    for storage_class in result.find("kubernetes:storage.k8s.io/v1:StorageClass"):
        assert storage_class.inputs["reclaimPolicy"] == "Retain"
        assert not storage_class.protect


def test_an_existing_cluster_uses_the_classes_it_names(plan, env_config) -> None:
    assert plan("local").find("kubernetes:storage.k8s.io/v1:StorageClass") == []
    assert planned_storage(env_config("local")) == Storage("standard", None)
    assert planned_storage(env_config("dev")) == Storage("gp3", "efs")
