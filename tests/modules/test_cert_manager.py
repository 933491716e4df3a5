"""cert-manager: the chart installs its CRDs, into its own namespace, after that namespace exists."""

from __future__ import annotations

import pulumi
import pulumi_kubernetes as k8s

from modules.cert_manager import CertManager, CertManagerArgs, cert_manager_values
from modules.helm import HelmChart


def test_values_install_and_keep_the_crds() -> None:
    assert cert_manager_values()["crds"] == {"enabled": True, "keep": True}


def test_release_waits_for_its_namespace(record) -> None:
    def program() -> None:
        provider = k8s.Provider("k8s", kubeconfig="/dev/null", context="t")
        chart = HelmChart("cert-manager", "v1.19.4", "https://charts.jetstack.io")
        CertManager("cert-manager", CertManagerArgs(chart), opts=pulumi.ResourceOptions(provider=provider))

    recording = record(program)
    release = recording.one("kubernetes:helm.sh/v3:Release")
    namespace = recording.one("kubernetes:core/v1:Namespace")
    assert namespace.urn in release.dependencies
    assert (release.inputs["namespace"], release.inputs["name"]) == ("cert-manager", "cert-manager")
    assert release.inputs["values"]["crds"]["enabled"] is True
