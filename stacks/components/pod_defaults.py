"""The PodDefault admission webhook, from kubeflow/manifests (certificate from cert-manager).

Its MutatingWebhookConfiguration fails closed (`failurePolicy: Fail`) for Pods in profile namespaces
(`app.kubernetes.io/part-of: kubeflow-profile`): whatever creates Pods there depends on `ready`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from stacks.component_spec import ComponentSpec
from stacks.components.cluster import Cluster
from stacks.components.kubeflow_manifests import ManifestsInstall, install_manifests, installed
from stacks.context import StackContext

if TYPE_CHECKING:
    from modules.kustomize import Dependencies

POD_DEFAULTS = "applications/admission-webhook/upstream/overlays/cert-manager"

SPEC = ComponentSpec(
    name="pod-defaults",
    summary="PodDefault admission webhook (PodDefault CRD)",
    key="podDefaults",
    manifests=(POD_DEFAULTS,),
    crds=("poddefaults.kubeflow.org",),
)


def build_pod_defaults(stack: StackContext, cluster: Cluster, after: Dependencies) -> ManifestsInstall | None:
    """The webhook, its CRD and certificate; None when switched off."""
    if not stack.config.components.enabled("podDefaults"):
        return None
    return installed(install_manifests(stack, cluster, "pod-defaults", "podDefaults", POD_DEFAULTS, after))
