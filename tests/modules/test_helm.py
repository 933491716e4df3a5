"""Helm releases from pinned chart references."""

from __future__ import annotations

import pulumi
import pulumi_kubernetes as k8s

from modules.helm import HelmChart, helm_release


def test_repository_chart_release_carries_repo_name_and_pinned_version(record) -> None:
    chart = HelmChart("dex", "0.24.0", "https://charts.dexidp.io")

    def program() -> None:
        provider = k8s.Provider("k8s", kubeconfig="{}")
        helm_release("dex", chart, "auth", {"replicaCount": 2}, pulumi.ResourceOptions(provider=provider))

    release = record(program).one("kubernetes:helm.sh/v3:Release", "dex")
    assert release.inputs["chart"] == "dex"
    assert release.inputs["version"] == "0.24.0"
    assert release.inputs["repositoryOpts"] == {"repo": "https://charts.dexidp.io"}
    assert release.inputs["namespace"] == "auth"
    assert release.inputs["values"] == {"replicaCount": 2}
    assert "createNamespace" not in release.inputs


def test_oci_chart_has_no_repository_and_its_own_name_is_the_last_segment(record) -> None:
    chart = HelmChart("oci://public.ecr.aws/karpenter/karpenter", "1.14.0")
    assert chart.chart_name == "karpenter"

    def program() -> None:
        helm_release("kp", chart, "kube-system", {}, pulumi.ResourceOptions(), release_name="karpenter")

    release = record(program).one("kubernetes:helm.sh/v3:Release", "kp")
    assert release.inputs["chart"] == "oci://public.ecr.aws/karpenter/karpenter"
    assert release.inputs["name"] == "karpenter"
    assert "repositoryOpts" not in release.inputs
