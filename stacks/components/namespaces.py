"""The platform namespaces, labelled for Istio sidecar injection and Kubeflow."""

from __future__ import annotations

from typing import TYPE_CHECKING

from stacks.component_spec import ComponentSpec
from stacks.components.cluster import Cluster
from stacks.context import StackContext

if TYPE_CHECKING:
    import pulumi_kubernetes as k8s

SPEC = ComponentSpec(
    name="namespaces",
    summary="kubeflow, the pipelines' profile namespace and kfstack-system",
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
    specs = platform_namespaces(config.components.enabled("istio"), config.pipelines.namespace)
    return PlatformNamespaces("platform", specs, opts=cluster.options()).namespaces
