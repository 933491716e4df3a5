"""A pinned chart reference: its own name is the last segment of an OCI reference."""

from __future__ import annotations

from modules.helm_chart import HelmChart


def test_chart_name_of_a_repository_chart_and_of_an_oci_reference() -> None:
    assert HelmChart("dex", "0.24.0", "https://charts.dexidp.io").chart_name == "dex"
    assert HelmChart("oci://public.ecr.aws/karpenter/karpenter", "1.14.0").chart_name == "karpenter"
