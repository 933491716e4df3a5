"""The cluster autoscaler on EKS: scales the stack's managed node groups (GPU pools from zero)."""

from __future__ import annotations

from collections.abc import Sequence

import pulumi

from stacks.component_spec import ChartSource, ComponentSpec
from stacks.components.cluster import Cluster, only_on_eks
from stacks.context import StackContext

SPEC = ComponentSpec(
    name="cluster-autoscaler",
    summary="Kubernetes cluster autoscaler for the managed node groups (Pod Identity role, EKS)",
    key="clusterAutoscaler",
    charts=(ChartSource("cluster-autoscaler", pinned_by="clusterAutoscaler", installs_crds=False),),
    skip_reason=only_on_eks("the cluster autoscaler"),
)


def build_cluster_autoscaler(
    stack: StackContext, cluster: Cluster, compute: Sequence[pulumi.Resource]
) -> pulumi.Resource | None:
    """The autoscaler (after the node groups and addons it runs on); None when off or not on EKS."""
    components = stack.config.components
    if cluster.eks is None or not components.enabled("clusterAutoscaler"):
        return None
    from modules.cluster_autoscaler import ClusterAutoscaler, ClusterAutoscalerArgs

    eks = cluster.eks
    (chart,) = SPEC.charts
    pin = components.pin("clusterAutoscaler")
    assert pin.image_tag is not None  # every clusterAutoscaler pin names its image tag
    return ClusterAutoscaler(
        "cluster-autoscaler",
        ClusterAutoscalerArgs(
            chart=chart.pinned(components),
            image_tag=pin.image_tag,
            cluster_name=eks.name,
            cluster_arn=eks.arn,
            region=eks.aws.region,
            mirror=stack.config.images.mirror(),
        ),
        opts=pulumi.ResourceOptions(providers=[eks.aws.provider, cluster.provider], depends_on=list(compute)),
    )
