"""cert-manager: the certificate controller (and its CRDs) the gateway's and webhooks' certificates need."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import pulumi

from stacks.component_spec import ChartSource, ComponentSpec
from stacks.components.cluster import Cluster
from stacks.context import StackContext

if TYPE_CHECKING:
    import pulumi_kubernetes as k8s

SPEC = ComponentSpec(
    name="cert-manager",
    summary="cert-manager controller, webhook and CRDs (Helm)",
    key="certManager",
    charts=(ChartSource("cert-manager", pinned_by="certManager"),),
    crd_groups=("cert-manager.io", "acme.cert-manager.io"),
)


def build_cert_manager(
    stack: StackContext, cluster: Cluster, after: Sequence[pulumi.Resource]
) -> k8s.helm.v3.Release | None:
    """The cert-manager release (custom resources of its groups depend on it); None when off."""
    if not stack.config.components.enabled("certManager"):
        return None
    from modules.cert_manager import CertManager, CertManagerArgs

    (chart,) = SPEC.charts
    opts = pulumi.ResourceOptions.merge(cluster.options(), pulumi.ResourceOptions(depends_on=list(after)))
    return CertManager(
        "cert-manager",
        CertManagerArgs(chart.pinned(stack.config.components), stack.config.images.mirror()),
        opts=opts,
    ).release
