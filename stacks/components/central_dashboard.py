"""The Kubeflow central dashboard behind oauth2-proxy, from kubeflow/manifests."""

from __future__ import annotations

from typing import TYPE_CHECKING

from stacks.component_spec import ComponentSpec
from stacks.components.cluster import Cluster
from stacks.components.kubeflow_manifests import ManifestsInstall, install_manifests, installed
from stacks.context import StackContext

if TYPE_CHECKING:
    from modules.kustomize import Dependencies

CENTRAL_DASHBOARD = "applications/centraldashboard/overlays/oauth2-proxy"

SPEC = ComponentSpec(
    name="central-dashboard",
    summary="Kubeflow central dashboard (oauth2-proxy overlay)",
    key="centralDashboard",
    manifests=(CENTRAL_DASHBOARD,),
)


def build_central_dashboard(
    stack: StackContext, cluster: Cluster, after: Dependencies
) -> ManifestsInstall | None:
    """The dashboard; None when switched off."""
    if not stack.config.components.enabled("centralDashboard"):
        return None
    return installed(
        install_manifests(stack, cluster, "central-dashboard", "centralDashboard", CENTRAL_DASHBOARD, after)
    )
