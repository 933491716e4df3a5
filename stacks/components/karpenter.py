"""Karpenter on EKS: the controller (IRSA role, node role, Helm release) and a NodePool +
EC2NodeClass per pool with `provisioner: karpenter`."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pulumi

from modules.vocabulary import GPU_RESOURCE
from stacks.component_spec import ChartSource, ComponentSpec
from stacks.components.cluster import Cluster, only_on_eks
from stacks.components.node_groups import pool_taints
from stacks.config.node_pools import NodePoolConfig
from stacks.context import StackContext
from stacks.mock_values import MOCK_ACCOUNT, aws_arn, mock_region, named


def _queue_outputs(name: str, inputs: dict[str, Any]) -> dict[str, Any]:
    queue = named(inputs, "name", name)
    return {
        "name": queue,
        "arn": aws_arn("sqs", queue),
        "url": f"https://sqs.{mock_region()}.amazonaws.com/{MOCK_ACCOUNT}/{queue}",
    }


SPEC = ComponentSpec(
    name="karpenter",
    summary="Karpenter controller and NodePool/EC2NodeClass per Karpenter-provisioned pool (EKS)",
    key="karpenter",
    charts=(ChartSource("karpenter", pinned_by="karpenter"),),
    crd_groups=("karpenter.sh", "karpenter.k8s.aws"),
    skip_reason=only_on_eks("Karpenter"),
    mock_outputs={"aws:sqs/queue:Queue": _queue_outputs},
)


def pool_limits(pool: NodePoolConfig) -> dict[str, str]:
    """What Karpenter may provision for a pool at most: GPUs for GPU pools, else nodes."""
    if pool.gpu:
        return {GPU_RESOURCE: str(pool.max_size * pool.gpus_per_node())}
    return {"nodes": str(pool.max_size)}


def build_karpenter(
    stack: StackContext, cluster: Cluster, compute: Sequence[pulumi.Resource]
) -> list[pulumi.Resource]:
    """The controller (after the compute it runs on) and its pools; empty when off or not on EKS."""
    components = stack.config.components
    if cluster.eks is None or not components.enabled("karpenter"):
        return []
    from modules.gpu import node_labels
    from modules.karpenter import Karpenter, KarpenterArgs, KarpenterNodePool, KarpenterPoolArgs

    eks = cluster.eks
    (chart,) = SPEC.charts
    karpenter = Karpenter(
        "karpenter",
        KarpenterArgs(
            chart=chart.pinned(components),
            cluster_name=eks.name,
            cluster_arn=eks.arn,
            cluster_endpoint=eks.endpoint,
            oidc_provider_arn=eks.oidc_provider_arn,
            oidc_issuer=eks.oidc_issuer,
            mirror=stack.config.images.mirror(),
        ),
        opts=pulumi.ResourceOptions(providers=[eks.aws.provider, cluster.provider], depends_on=list(compute)),
    )
    pools: list[pulumi.Resource] = []
    for name, pool in stack.config.node_pools.items():
        if pool.provisioner != "karpenter":
            continue
        args = KarpenterPoolArgs(
            instance_types=tuple(pool.instance_types),
            capacity_type=pool.capacity_type,
            architecture=pool.architecture,
            disk_size_gib=pool.disk_size_gib,
            labels=node_labels(name, pool.labels, pool.gpu),
            taints=pool_taints(pool),
            limits=pool_limits(pool),
            node_role_name=karpenter.node_role.name,
            subnet_ids=eks.network.private_subnet_ids,
            security_group_ids=[eks.security_group_id],
        )
        opts = pulumi.ResourceOptions.merge(
            cluster.options(), pulumi.ResourceOptions(depends_on=[karpenter.release])
        )
        pools.append(KarpenterNodePool(name, args, opts=opts))
    return pools
