"""Knative Serving from kubeflow/manifests (Istio gateways overlay) for KServe's Knative mode, and the
Istio cluster-local gateway its in-cluster traffic goes through."""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

import pulumi

from stacks.component_spec import ChartSource, ComponentSpec
from stacks.components.cluster import Cluster
from stacks.components.istio import Mesh
from stacks.components.kubeflow_manifests import ManifestsInstall, install_manifests, installed
from stacks.context import StackContext

if TYPE_CHECKING:
    from modules.kustomize import Dependencies

KNATIVE_SERVING = "common/knative/knative-serving/overlays/gateways"

SPEC = ComponentSpec(
    name="knative",
    summary="Knative Serving (kubeflow/manifests, Istio gateways) and the cluster-local gateway",
    key="knative",
    charts=(ChartSource("gateway", pinned_by="istio", installs_crds=False),),
    manifests=(KNATIVE_SERVING,),
    crds=(
        "certificates.networking.internal.knative.dev",
        "clusterdomainclaims.networking.internal.knative.dev",
        "configurations.serving.knative.dev",
        "domainmappings.serving.knative.dev",
        "images.caching.internal.knative.dev",
        "ingresses.networking.internal.knative.dev",
        "metrics.autoscaling.internal.knative.dev",
        "podautoscalers.autoscaling.internal.knative.dev",
        "revisions.serving.knative.dev",
        "routes.serving.knative.dev",
        "serverlessservices.networking.internal.knative.dev",
        "services.serving.knative.dev",
    ),
)


def build_knative(
    stack: StackContext, cluster: Cluster, mesh: Mesh | None, after: Dependencies
) -> ManifestsInstall | None:
    """Knative Serving and the cluster-local gateway; None when off (Standard mode needs neither)."""
    config = stack.config
    if not config.components.enabled("knative"):
        return None
    assert mesh is not None  # the config requires Istio with Knative
    from modules.helm import helm_release
    from modules.istio import ISTIO_NAMESPACE
    from modules.knative import LOCAL_GATEWAY_RELEASE, local_gateway_values, mirror_images

    (gateway_chart,) = SPEC.charts
    helm_release(
        "knative-local-gateway",
        gateway_chart.pinned(config.components),
        ISTIO_NAMESPACE,
        local_gateway_values(),
        pulumi.ResourceOptions.merge(
            cluster.options(), pulumi.ResourceOptions(depends_on=[mesh.namespace, mesh.gateway_release])
        ),
        release_name=LOCAL_GATEWAY_RELEASE,
    )
    serving = install_manifests(
        stack,
        cluster,
        "knative-serving",
        "knative",
        KNATIVE_SERVING,
        after,
        transformations=(partial(mirror_images, config.images.mirror()),),
    )
    return installed(serving)
