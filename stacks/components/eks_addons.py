"""EKS managed addons (CNI, CoreDNS, kube-proxy, the CSI drivers, pod identity, extras)."""

from __future__ import annotations

from collections.abc import Sequence

import pulumi

from stacks.component_spec import ComponentSpec
from stacks.components.cluster import Cluster
from stacks.context import StackContext
from stacks.mock_values import aws_arn

SPEC = ComponentSpec(
    name="eks-addons",
    summary="EKS managed addons; the EBS and EFS CSI drivers get IRSA roles",
    mock_outputs={
        "aws:eks/addon:Addon": lambda name, inputs: {
            "arn": aws_arn("eks", f"addon/{inputs.get('addonName', name)}")
        },
    },
)


def build_network_addons(stack: StackContext, cluster: Cluster) -> list[pulumi.Resource]:
    """The addons nodes need to become Ready (VPC CNI, kube-proxy, pod-identity agent), created
    before the node groups (`modules.eks_addons.BEFORE_COMPUTE_ADDONS`); empty on an existing cluster."""
    eks_config = stack.config.cluster.eks
    if cluster.eks is None or eks_config is None:
        return []
    from modules.eks_addons import before_compute

    return [_addons("network-addons", cluster, before_compute(eks_config.installed_addons()), [])]


def build_eks_addons(
    stack: StackContext, cluster: Cluster, node_groups: Sequence[pulumi.Resource]
) -> list[pulumi.Resource]:
    """The other addons, after the node groups they schedule onto; empty on an existing cluster."""
    eks_config = stack.config.cluster.eks
    if cluster.eks is None or eks_config is None:
        return []
    from modules.eks_addons import after_compute

    return [_addons("addons", cluster, after_compute(eks_config.installed_addons()), node_groups)]


def _addons(
    name: str, cluster: Cluster, addons: dict[str, str | None], after: Sequence[pulumi.Resource]
) -> pulumi.Resource:
    from modules.eks_addons import EksAddons, EksAddonsArgs

    eks = cluster.eks
    assert eks is not None  # callers return early on an existing cluster
    return EksAddons(
        name,
        EksAddonsArgs(
            cluster_name=eks.name,
            addons=addons,
            oidc_provider_arn=eks.oidc_provider_arn,
            oidc_issuer=eks.oidc_issuer,
        ),
        opts=pulumi.ResourceOptions.merge(eks.aws.options(), pulumi.ResourceOptions(depends_on=list(after))),
    )
