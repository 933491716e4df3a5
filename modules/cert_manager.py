"""cert-manager: its namespace and the Helm release, which also installs its CRDs."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_kubernetes as k8s

from modules.helm import HelmChart, helm_release
from modules.options import child_options

CERT_MANAGER_NAMESPACE = "cert-manager"


def cert_manager_values() -> dict[str, Any]:
    """Helm values: the chart installs the CRDs (kept on uninstall, so certificates survive a re-install)."""
    return {
        "crds": {"enabled": True, "keep": True},
        # cert-manager's leader election defaults to kube-system; keep its leases in its own namespace.
        "global": {"leaderElection": {"namespace": CERT_MANAGER_NAMESPACE}},
    }


@dataclass(frozen=True)
class CertManagerArgs:
    """The pinned cert-manager chart."""

    chart: HelmChart


class CertManager(pulumi.ComponentResource):
    """The cert-manager namespace and release; `release` installs the cert-manager.io CRDs."""

    namespace: k8s.core.v1.Namespace
    release: k8s.helm.v3.Release

    def __init__(self, name: str, args: CertManagerArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("kfstack:certmanager:CertManager", name, None, opts)
        child = child_options(self, opts)
        self.namespace = k8s.core.v1.Namespace(
            f"ns-{CERT_MANAGER_NAMESPACE}",
            metadata=k8s.meta.v1.ObjectMetaArgs(name=CERT_MANAGER_NAMESPACE),
            opts=child,
        )
        self.release = helm_release(
            name,
            args.chart,
            CERT_MANAGER_NAMESPACE,
            cert_manager_values(),
            pulumi.ResourceOptions.merge(child, pulumi.ResourceOptions(depends_on=[self.namespace])),
            release_name="cert-manager",
        )
        self.register_outputs({})
