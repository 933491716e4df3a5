"""EKS managed node groups, one per pool with `provisioner: managedNodeGroup`."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pulumi

from stacks.component_spec import ComponentSpec
from stacks.components.cluster import Cluster
from stacks.config.instance_types import gpu_instance
from stacks.config.node_pools import NodePoolConfig
from stacks.context import StackContext
from stacks.mock_values import aws_arn, named_arn, stable_hex, stable_uuid


def _node_group_outputs(name: str, inputs: dict[str, Any]) -> dict[str, Any]:
    """The ARN and the Auto Scaling group EKS creates for the group (named `eks-<group>-<uuid>`)."""
    group = f"{inputs.get('nodeGroupNamePrefix', name + '-')}{stable_hex(name, 8)}"
    return {
        **named_arn("eks", "nodegroup")(name, {"name": group}),
        "nodeGroupName": group,
        "resources": [{"autoscalingGroups": [{"name": f"eks-{group}-{stable_uuid(name)}"}]}],
    }


SPEC = ComponentSpec(
    name="node-groups",
    summary="EKS managed node groups (launch template with IMDSv2, AL2023 AMIs, GPU taint and label)",
    mock_outputs={
        "aws:eks/nodeGroup:NodeGroup": _node_group_outputs,
        "aws:ec2/launchTemplate:LaunchTemplate": lambda name, inputs: {
            "id": f"lt-{stable_hex(name)}",
            "arn": aws_arn("ec2", f"launch-template/lt-{stable_hex(name)}"),
            "latestVersion": 1,
        },
    },
    replace_on={
        "aws:eks/nodeGroup:NodeGroup": ("amiType", "instanceTypes", "capacityType", "diskSize", "subnetIds"),
    },
)


def pool_taints(pool: NodePoolConfig) -> tuple[dict[str, Any], ...]:
    """A pool's taints in Kubernetes form (`{key, value?, effect}`)."""
    return tuple(t.model_dump(exclude_none=True) for t in pool.taints)


def gpus_per_node(pool: NodePoolConfig) -> int:
    """GPUs every node of a pool brings at least (the smallest count among its instance types; 0 for
    CPU pools): what the autoscaler may promise a pending pod before a node exists."""
    counts = [g.gpus for t in pool.instance_types if (g := gpu_instance(t)) is not None]
    return min(counts, default=0)


def build_node_groups(
    stack: StackContext, cluster: Cluster, after: Sequence[pulumi.Resource] = ()
) -> list[pulumi.Resource]:
    """One managed node group per managed pool, after `after` (the addons nodes need to become
    Ready); empty on an existing cluster. With the cluster autoscaler on, it scales every group (it
    discovers them all), so each gets node-template tags."""
    if cluster.eks is None:
        return []
    from modules.gpu import ami_type, node_labels
    from modules.node_group import ManagedNodeGroup, NodeGroupArgs

    eks = cluster.eks
    autoscaled = stack.config.components.enabled("clusterAutoscaler")
    groups: list[pulumi.Resource] = []
    for name, pool in stack.config.node_pools.items():
        if pool.provisioner != "managedNodeGroup":
            continue
        args = NodeGroupArgs(
            cluster_name=eks.name,
            node_role_arn=eks.node_role.role.arn,
            subnet_ids=eks.network.private_subnet_ids,
            instance_types=tuple(pool.instance_types),
            ami_type=ami_type(pool.gpu, pool.architecture),
            min_size=pool.min_size,
            desired_size=pool.desired_size,
            max_size=pool.max_size,
            disk_size_gib=pool.disk_size_gib,
            capacity_type=pool.capacity_type,
            labels=node_labels(name, pool.labels, pool.gpu),
            taints=pool_taints(pool),
            autoscaled=autoscaled,
            gpus_per_node=gpus_per_node(pool),
        )
        opts = pulumi.ResourceOptions.merge(
            eks.aws.options(), pulumi.ResourceOptions(depends_on=[*eks.node_role.attachments, *after])
        )
        groups.append(ManagedNodeGroup(name, args, opts=opts))
    return groups
