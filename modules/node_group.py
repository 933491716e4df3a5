"""An EKS managed node group with its launch template (IMDSv2 required, encrypted gp3 root disk)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_aws as aws

from modules.options import child_options
from modules.vocabulary import AmiType, CapacityType

_AUTOSCALER_OWNED = ["scalingConfig.desiredSize"]
_EFFECTS = {"NoSchedule": "NO_SCHEDULE", "PreferNoSchedule": "PREFER_NO_SCHEDULE", "NoExecute": "NO_EXECUTE"}


@dataclass(frozen=True)
class NodeGroupArgs:
    """One managed node group; taints are in Kubernetes form (`effect: NoSchedule`)."""

    cluster_name: pulumi.Input[str]
    node_role_arn: pulumi.Input[str]
    subnet_ids: Sequence[pulumi.Input[str]]
    instance_types: tuple[str, ...]
    ami_type: AmiType
    min_size: int
    desired_size: int
    max_size: int
    disk_size_gib: int
    capacity_type: CapacityType
    labels: Mapping[str, str]
    taints: tuple[Mapping[str, Any], ...]
    autoscaled: bool = False
    """Whether the cluster autoscaler scales the group: its ASG then gets node-template tags, and the
    autoscaler, not the config, owns the desired size."""
    gpus_per_node: int = 0
    """GPUs each node brings (the smallest count of the group's instance types), for the template."""


def node_group_taints(taints: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Kubernetes taints in the EKS node-group API form (`NoSchedule` -> `NO_SCHEDULE`)."""
    out = []
    for taint in taints:
        item = {"key": taint["key"], "effect": _EFFECTS[taint.get("effect", "NoSchedule")]}
        if taint.get("value") is not None:
            item["value"] = taint["value"]
        out.append(item)
    return out


IMDS_HOP_LIMIT = 1
"""IMDSv2 responses stop at the node (terraform-aws-eks v21's default): a pod in its own network
namespace is one hop further and cannot borrow the node role. Nothing here needs IMDS from a pod:
the EBS/EFS CSI drivers and Karpenter take IRSA roles, the platform's workloads Pod Identity roles
(modules/artifact_access.py), the EBS CSI node plugin reads its instance metadata from the
Kubernetes API when IMDS is out of reach, and host-network pods (EFS CSI node, kube-proxy, VPC CNI)
are not an extra hop."""


def metadata_options() -> dict[str, Any]:
    """IMDSv2 only, hop limit 1 (see IMDS_HOP_LIMIT)."""
    return {
        "http_endpoint": "enabled",
        "http_tokens": "required",
        "http_put_response_hop_limit": IMDS_HOP_LIMIT,
    }


def _asg_name(resources: Sequence[aws.eks.outputs.NodeGroupResource]) -> str:
    """The name of the Auto Scaling group EKS created for a node group (it creates exactly one)."""
    groups = resources[0].autoscaling_groups or []
    name = groups[0].name if groups else None
    if name is None:
        raise ValueError("the node group reports no Auto Scaling group")
    return name


class ManagedNodeGroup(pulumi.ComponentResource):
    """Launch template + node group; min size 0 lets a pool scale from zero.

    Nodes join only once the node role carries its policies: pass them in `opts.depends_on`.
    """

    node_group: aws.eks.NodeGroup
    template_tags: tuple[aws.autoscaling.Tag, ...]

    def __init__(self, name: str, args: NodeGroupArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("kfstack:nodes:ManagedNodeGroup", name, None, opts)
        child = child_options(self, opts)
        template = aws.ec2.LaunchTemplate(
            name,
            description=f"kfstack node pool {name}",
            metadata_options=aws.ec2.LaunchTemplateMetadataOptionsArgs(**metadata_options()),
            # One volume: on the AL2023 EKS AMIs (standard and NVIDIA) containerd's images and the
            # kubelet's ephemeral storage live on the root volume, and nodeadm mounts no second EBS
            # volume, so GPU pools get room by sizing this one (`diskSizeGib`), not by an extra disk.
            block_device_mappings=[
                aws.ec2.LaunchTemplateBlockDeviceMappingArgs(
                    device_name="/dev/xvda",
                    ebs=aws.ec2.LaunchTemplateBlockDeviceMappingEbsArgs(
                        volume_size=args.disk_size_gib,
                        volume_type="gp3",
                        encrypted="true",
                        delete_on_termination="true",
                    ),
                )
            ],
            update_default_version=True,
            opts=child,
        )
        self.node_group = aws.eks.NodeGroup(
            name,
            cluster_name=args.cluster_name,
            node_group_name_prefix=f"{name}-",
            node_role_arn=args.node_role_arn,
            subnet_ids=list(args.subnet_ids),
            instance_types=list(args.instance_types),
            ami_type=args.ami_type,
            capacity_type=args.capacity_type,
            scaling_config=aws.eks.NodeGroupScalingConfigArgs(
                min_size=args.min_size, desired_size=args.desired_size, max_size=args.max_size
            ),
            update_config=aws.eks.NodeGroupUpdateConfigArgs(max_unavailable=1),
            launch_template=aws.eks.NodeGroupLaunchTemplateArgs(
                id=template.id, version=template.latest_version.apply(str)
            ),
            labels=dict(args.labels) or None,
            taints=[aws.eks.NodeGroupTaintArgs(**t) for t in node_group_taints(args.taints)] or None,
            opts=pulumi.ResourceOptions.merge(
                # an autoscaled group's desiredSize is the autoscaler's after creation: an `up` that
                # reset it would drain nodes running work; without one the config's size applies
                child,
                pulumi.ResourceOptions(ignore_changes=_AUTOSCALER_OWNED if args.autoscaled else None),
            ),
        )
        self.template_tags = self._template_tags(name, args, child) if args.autoscaled else ()
        self.register_outputs({"nodeGroupArn": self.node_group.arn})

    def _template_tags(
        self, name: str, args: NodeGroupArgs, opts: pulumi.ResourceOptions
    ) -> tuple[aws.autoscaling.Tag, ...]:
        """The node group's labels, taints and GPUs as node-template tags on its (EKS-created) ASG."""
        from modules.cluster_autoscaler import node_template_tags

        asg_name = self.node_group.resources.apply(_asg_name)
        tags = node_template_tags(args.labels, args.taints, args.gpus_per_node)
        return tuple(
            aws.autoscaling.Tag(
                f"{name}-{key.rsplit('node-template/', 1)[1].replace('/', '-')}",
                autoscaling_group_name=asg_name,
                # only the autoscaler reads them: instances need not carry them
                tag=aws.autoscaling.TagTagArgs(key=key, value=value, propagate_at_launch=False),
                opts=opts,
            )
            for key, value in sorted(tags.items())
        )
