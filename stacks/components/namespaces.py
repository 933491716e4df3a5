"""The platform namespaces, labelled for Istio sidecar injection and Kubeflow. Profile namespaces
are not among them: the Kubeflow profile controller creates those (`team_profiles`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from stacks.component_spec import ComponentSpec
from stacks.components.cluster import Cluster
from stacks.context import StackContext

if TYPE_CHECKING:
    import pulumi_kubernetes as k8s

SPEC = ComponentSpec(
    name="namespaces",
    summary="kubeflow, kfstack-system and the pipelines namespace unless it is a profile",
    mock_outputs={
        "kubernetes:core/v1:Namespace": lambda name, inputs: {
            "metadata": {**inputs.get("metadata", {}), "name": inputs.get("metadata", {}).get("name", name)}
        },
    },
)


def build_namespaces(stack: StackContext, cluster: Cluster) -> dict[str, k8s.core.v1.Namespace]:
    """Namespace name -> Namespace resource."""
    from modules.namespaces import PlatformNamespaces, platform_namespaces

    config = stack.config
    pipelines = config.pipelines.namespace
    profile = pipelines in config.profile_namespaces()  # the profile controller creates it
    specs = platform_namespaces(config.components.enabled("istio"), None if profile else pipelines)
    return PlatformNamespaces("platform", specs, opts=cluster.options()).namespaces
