"""cert-manager: its namespace and the Helm release, which also installs its CRDs."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_kubernetes as k8s

from modules.helm import HelmChart, helm_release
from modules.images import NO_MIRROR, ImageMirror
from modules.options import child_options

CERT_MANAGER_NAMESPACE = "cert-manager"
CERT_MANAGER_IMAGES = {
    "image": "quay.io/jetstack/cert-manager-controller",
    "webhook": "quay.io/jetstack/cert-manager-webhook",
    "cainjector": "quay.io/jetstack/cert-manager-cainjector",
    "acmesolver": "quay.io/jetstack/cert-manager-acmesolver",
    "startupapicheck": "quay.io/jetstack/cert-manager-startupapicheck",
}
"""The chart's images (value path -> repository; the tag is the chart's appVersion)."""


def cert_manager_values(mirror: ImageMirror | None = None) -> dict[str, Any]:
    """Helm values: the chart installs the CRDs (kept on uninstall, so certificates survive a re-install);
    with a mirror registry, every image (controller, webhook, cainjector, ACME solver, startup check)."""
    values: dict[str, Any] = {
        "crds": {"enabled": True, "keep": True},
        # cert-manager's leader election defaults to kube-system; keep its leases in its own namespace.
        "global": {"leaderElection": {"namespace": CERT_MANAGER_NAMESPACE}},
    }
    if mirror is not None and mirror.registry is not None:
        for path, repository in CERT_MANAGER_IMAGES.items():
            image = {"repository": mirror(repository)}
            if path == "image":
                values["image"] = image
            else:
                values[path] = {"image": image}
    return values


@dataclass(frozen=True)
class CertManagerArgs:
    """The pinned cert-manager chart and where its images are pulled from."""

    chart: HelmChart
    mirror: ImageMirror = NO_MIRROR


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
            cert_manager_values(args.mirror),
            pulumi.ResourceOptions.merge(child, pulumi.ResourceOptions(depends_on=[self.namespace])),
            release_name="cert-manager",
        )
        self.register_outputs({})
