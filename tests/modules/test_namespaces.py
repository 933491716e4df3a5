"""Platform namespaces: sidecar injection only where Istio runs."""

from __future__ import annotations

import pulumi
import pulumi_kubernetes as k8s

from modules.namespaces import PlatformNamespaces, platform_namespaces


def test_istio_injection_labels_follow_the_istio_switch() -> None:
    with_istio = {spec.name: spec.labels for spec in platform_namespaces(True, "team-a")}
    assert set(with_istio) == {"kubeflow", "team-a", "kfstack-system"}
    assert with_istio["kubeflow"]["istio-injection"] == "enabled"
    assert with_istio["team-a"]["app.kubernetes.io/part-of"] == "kubeflow-profile"
    assert with_istio["kfstack-system"] == {}
    without = {spec.name: spec.labels for spec in platform_namespaces(False, "team-a")}
    assert all("istio-injection" not in labels for labels in without.values())


def test_namespaces_are_created_on_the_explicit_provider(record) -> None:
    def program() -> None:
        provider = k8s.Provider("k8s", kubeconfig="{}")
        created = PlatformNamespaces(
            "platform", platform_namespaces(True, "team-a"), opts=pulumi.ResourceOptions(providers=[provider])
        )
        assert set(created.namespaces) == {"kubeflow", "team-a", "kfstack-system"}

    rec = record(program)
    namespaces = {n.name: n for n in rec.find("kubernetes:core/v1:Namespace")}
    assert set(namespaces) == {"ns-kubeflow", "ns-team-a", "ns-kfstack-system"}
    assert namespaces["ns-team-a"].inputs["metadata"]["name"] == "team-a"
    assert "labels" not in namespaces["ns-kfstack-system"].inputs["metadata"]
    provider = rec.one("pulumi:providers:kubernetes").urn
    assert all(n.provider == provider for n in namespaces.values())
