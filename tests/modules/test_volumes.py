"""PersistentVolumeClaims for pipeline steps."""

from __future__ import annotations

import kubernetes_validate
import pulumi
import pulumi_kubernetes as k8s
import pytest

from modules.volumes import Volumes, VolumesArgs, VolumeSpec, volume_claim


def test_volume_claim_manifest_validates() -> None:
    manifest = volume_claim(VolumeSpec("data", "kubeflow-user", "50Gi", "ReadWriteMany", "efs"))
    kubernetes_validate.validate({"apiVersion": "v1", "kind": "PersistentVolumeClaim", **manifest}, "1.34", strict=True)
    assert manifest["metadata"]["name"] == "data"
    assert manifest["spec"] == {
        "accessModes": ["ReadWriteMany"],
        "storageClassName": "efs",
        "resources": {"requests": {"storage": "50Gi"}},
    }


@pytest.mark.parametrize("protect", [True, False])
def test_volumes_are_claims_on_the_explicit_provider(record, protect: bool) -> None:
    specs = (
        VolumeSpec("data", "kubeflow-user", "1Ti", "ReadWriteMany", "efs"),
        VolumeSpec("models", "kubeflow-user", "200Gi", "ReadWriteMany", "efs"),
    )

    def program() -> None:
        provider = k8s.Provider("k8s", kubeconfig="{}")
        volumes = Volumes(
            "volumes",
            VolumesArgs(specs),
            opts=pulumi.ResourceOptions(providers=[provider], protect=protect, retain_on_delete=protect),
        )
        assert volumes.claims == {spec.name: spec for spec in specs}

    rec = record(program)
    claims = {c.name: c for c in rec.find("kubernetes:core/v1:PersistentVolumeClaim")}
    assert set(claims) == {"pvc-data", "pvc-models"}
    assert claims["pvc-data"].inputs["spec"]["resources"] == {"requests": {"storage": "1Ti"}}
    assert claims["pvc-data"].inputs["metadata"]["namespace"] == "kubeflow-user"
    provider = rec.one("pulumi:providers:kubernetes", "k8s").urn
    for claim in claims.values():
        assert claim.provider == provider
        assert claim.protect is protect and claim.retain_on_delete is protect
