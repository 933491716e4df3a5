"""Kubeflow's aggregated ClusterRoles (kubeflow-admin/edit/view and the Istio ones the profile roles
aggregate), from kubeflow/manifests; installed when any Kubeflow part is."""

from __future__ import annotations

from typing import TYPE_CHECKING

from stacks.component_spec import ComponentSpec
from stacks.components.cluster import Cluster
from stacks.components.kubeflow_manifests import ManifestsInstall, install_manifests, installed
from stacks.config.versions import ComponentKey
from stacks.context import StackContext

if TYPE_CHECKING:
    from modules.kustomize import Dependencies

ROLES = "common/kubeflow-roles/base"
ISTIO_RESOURCES = "common/istio/kubeflow-istio-resources/base"
KUBEFLOW_PARTS: tuple[ComponentKey, ...] = (
    "profiles",
    "kubeflowPipelines",
    "podDefaults",
    "centralDashboard",
)

GATEWAY_KIND, GATEWAY_NAMESPACE, GATEWAY_NAME = "Gateway", "kubeflow", "kubeflow-gateway"
"""Upstream's Gateway in kubeflow-istio-resources: kfstack's Istio builder creates this one (with TLS)."""

SPEC = ComponentSpec(
    name="kubeflow-roles",
    summary="Kubeflow's aggregated ClusterRoles (kubeflow-admin/edit/view, kubeflow-istio-*)",
    manifests=(ROLES, ISTIO_RESOURCES),
)


def build_kubeflow_roles(
    stack: StackContext, cluster: Cluster, after: Dependencies
) -> ManifestsInstall | None:
    """The roles every Kubeflow part binds to; None when no Kubeflow part is enabled."""
    from modules.kustomize import ObjectRef

    enabled = [key for key in KUBEFLOW_PARTS if stack.config.components.enabled(key)]
    if not enabled:
        return None
    roles = install_manifests(stack, cluster, "kubeflow-roles", enabled[0], ROLES, after)
    istio = install_manifests(
        stack,
        cluster,
        "kubeflow-istio-roles",
        enabled[0],
        ISTIO_RESOURCES,
        after,
        omit=[ObjectRef(GATEWAY_KIND, GATEWAY_NAME, GATEWAY_NAMESPACE)],
    )
    return installed(roles, istio)
