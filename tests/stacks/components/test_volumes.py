"""The volumes builder: claims in the pipelines namespace, after their namespace, classes and nodes."""

from __future__ import annotations

from stacks.components.storage import Storage
from stacks.components.volumes import volume_class


def _volume_claims(result):
    """The claims of `storage.volumes` (not e.g. Grafana's, which monitoring creates)."""
    return [c for c in result.find("kubernetes:core/v1:PersistentVolumeClaim") if c.name.startswith("pvc-")]


def test_eks_claims_are_rwx_on_efs_with_the_configured_sizes(plan) -> None:
    result = plan("dev")
    config = result.config
    claims = {c.name: c.inputs for c in _volume_claims(result)}
    assert set(claims) == {f"pvc-{name}" for name in config.storage.volumes}
    for name, volume in config.storage.volumes.items():
        spec = claims[f"pvc-{name}"]["spec"]
        assert spec["accessModes"] == ["ReadWriteMany"]
        assert spec["storageClassName"] == "efs"
        assert spec["resources"]["requests"]["storage"] == volume.size
        assert claims[f"pvc-{name}"]["metadata"]["namespace"] == config.pipelines.namespace


def test_claims_wait_for_their_namespace_the_classes_and_the_nodes(plan_of, custom_parts) -> None:
    # a profile namespace: the claims wait for the profile instead (tests/.../test_team_profiles.py)
    def without_profiles(values: dict) -> None:
        for key in ("profiles", "kubeflowPipelines", "centralDashboard"):
            values["components"][key] = {"enabled": False}
        values.pop("profiles")

    result = plan_of("prod", without_profiles)
    (namespace,) = result.find("kubernetes:core/v1:Namespace", "ns-kubeflow-user")
    waits = {namespace.urn} | custom_parts(result, "kfstack:storage:StorageClasses")
    waits |= custom_parts(result, "kfstack:nodes:ManagedNodeGroup")
    for claim in _volume_claims(result):
        assert waits <= set(claim.dependencies)
        assert claim.protect and claim.retain_on_delete


def test_local_claims_are_rwo_on_the_named_class(plan) -> None:
    claims = {c.name: c.inputs for c in _volume_claims(plan("local"))}
    assert set(claims) == {"pvc-data", "pvc-models"}
    assert claims["pvc-data"]["spec"]["storageClassName"] == "standard"
    assert claims["pvc-data"]["spec"]["accessModes"] == ["ReadWriteOnce"]


def test_rwx_volume_falls_back_to_rwo_without_an_rwx_class() -> None:
    assert volume_class("ReadWriteMany", Storage("standard", None)) == ("ReadWriteOnce", "standard")
    assert volume_class("ReadWriteMany", Storage("gp3", "efs")) == ("ReadWriteMany", "efs")
    assert volume_class("ReadWriteOnce", Storage("gp3", "efs")) == ("ReadWriteOnce", "gp3")


def test_rwx_volume_on_a_cluster_without_rwx_class_is_planned_as_rwo_with_a_warning(plan_of) -> None:
    def rwx(values: dict) -> None:
        values["storage"]["volumes"]["data"]["accessMode"] = "ReadWriteMany"

    result = plan_of("local", rwx)
    (claim,) = result.find("kubernetes:core/v1:PersistentVolumeClaim", "pvc-data")
    assert claim.inputs["spec"]["accessModes"] == ["ReadWriteOnce"]
    assert any(w.startswith("storage.volumes.data: the cluster has no ReadWriteMany class") for w in result.warnings)


def test_without_volumes_there_are_no_claims(plan_of) -> None:
    def none(values: dict) -> None:
        del values["storage"]["volumes"]
        # the registered pipelines would need the models volume as their model store
        values["pipelines"].update(registered=[], schedules={})

    assert plan_of("local", none).find("kfstack:storage:Volumes") == []
