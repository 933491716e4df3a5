"""The Kubeflow profile controller and KFAM (access management), from kubeflow/manifests: it turns
Profile objects into namespaces with their owners' RoleBindings."""

from __future__ import annotations

from typing import TYPE_CHECKING

from stacks.component_spec import ComponentSpec
from stacks.components.cluster import Cluster
from stacks.components.kubeflow_manifests import ManifestsInstall, install_manifests, installed
from stacks.context import StackContext

if TYPE_CHECKING:
    from modules.kustomize import Dependencies

PROFILES = "applications/profiles/upstream/overlays/kubeflow"

SPEC = ComponentSpec(
    name="profiles",
    summary="Kubeflow profile controller + KFAM (Profile CRD)",
    key="profiles",
    manifests=(PROFILES,),
    crds=("profiles.kubeflow.org",),
)


def build_profiles(stack: StackContext, cluster: Cluster, after: Dependencies) -> ManifestsInstall | None:
    """The controller and the Profile CRD (Profiles depend on `ready`); None when switched off."""
    if not stack.config.components.enabled("profiles"):
        return None
    return installed(install_manifests(stack, cluster, "profiles", "profiles", PROFILES, after))
