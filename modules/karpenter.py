"""Karpenter: the controller (IRSA role, node role, Helm release) and per-pool NodePool +
EC2NodeClass custom resources, as an alternative to managed node groups."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_aws as aws
import pulumi_kubernetes as k8s

from modules.eks_iam import (
    irsa_trust,
    node_role,
    role_with_policies,
)
from modules.helm import HelmChart, helm_release
from modules.images import NO_MIRROR, ImageMirror
from modules.options import child_options
from modules.vocabulary import Architecture, CapacityType

KARPENTER_NAMESPACE = "kube-system"
KARPENTER_SERVICE_ACCOUNT = "karpenter"


def controller_policy(cluster_arn: str, node_role_arn: str) -> str:
    """The controller's IAM policy (after Karpenter's reference policy, without interruption handling)."""
    statements = [
        {
            "Sid": "Provisioning",
            "Effect": "Allow",
            "Action": [
                "ec2:CreateFleet",
                "ec2:RunInstances",
                "ec2:CreateLaunchTemplate",
                "ec2:CreateTags",
                "ec2:DeleteLaunchTemplate",
                "ec2:TerminateInstances",
            ],
            "Resource": "*",
        },
        {
            "Sid": "Discovery",
            "Effect": "Allow",
            "Action": [
                "ec2:DescribeAvailabilityZones",
                "ec2:DescribeImages",
                "ec2:DescribeInstances",
                "ec2:DescribeInstanceTypeOfferings",
                "ec2:DescribeInstanceTypes",
                "ec2:DescribeLaunchTemplates",
                "ec2:DescribeSecurityGroups",
                "ec2:DescribeSpotPriceHistory",
                "ec2:DescribeSubnets",
                "ec2:DescribeCapacityReservations",
                "ec2:DescribePlacementGroups",
                "pricing:GetProducts",
                "ssm:GetParameter",
            ],
            "Resource": "*",
        },
        {"Sid": "PassNodeRole", "Effect": "Allow", "Action": "iam:PassRole", "Resource": node_role_arn},
        {
            "Sid": "InstanceProfiles",
            "Effect": "Allow",
            "Action": [
                "iam:CreateInstanceProfile",
                "iam:TagInstanceProfile",
                "iam:AddRoleToInstanceProfile",
                "iam:RemoveRoleFromInstanceProfile",
                "iam:DeleteInstanceProfile",
                "iam:GetInstanceProfile",
                "iam:ListInstanceProfiles",
            ],
            "Resource": "*",
        },
        {"Sid": "Cluster", "Effect": "Allow", "Action": "eks:DescribeCluster", "Resource": cluster_arn},
    ]
    return json.dumps({"Version": "2012-10-17", "Statement": statements}, sort_keys=True)


KARPENTER_IMAGE = "public.ecr.aws/karpenter/controller"
"""The chart's controller image repository (tag and digest stay the chart's: a mirror keeps digests)."""


def controller_values(
    cluster_name: str, cluster_endpoint: str, role_arn: str, mirror: ImageMirror | None = None
) -> dict[str, Any]:
    """Helm values for the karpenter chart (runs on the managed system nodes, never on its own; its
    image from the mirror registry, if any)."""
    values: dict[str, Any] = {
        "settings": {"clusterName": cluster_name, "clusterEndpoint": cluster_endpoint},
        "serviceAccount": {
            "name": KARPENTER_SERVICE_ACCOUNT,
            "annotations": {"eks.amazonaws.com/role-arn": role_arn},
        },
        "replicas": 2,
        "dnsPolicy": "Default",
        "tolerations": [{"key": "CriticalAddonsOnly", "operator": "Exists"}],
        "controller": {
            "resources": {"requests": {"cpu": "500m", "memory": "512Mi"}, "limits": {"memory": "1Gi"}}
        },
    }
    if mirror is not None and mirror.registry is not None:
        values["controller"]["image"] = {"repository": mirror(KARPENTER_IMAGE)}
    return values


@dataclass(frozen=True)
class KarpenterArgs:
    """The cluster Karpenter provisions for; pass what the controller runs on in `opts.depends_on`."""

    chart: HelmChart
    cluster_name: pulumi.Input[str]
    cluster_arn: pulumi.Input[str]
    cluster_endpoint: pulumi.Input[str]
    oidc_provider_arn: pulumi.Input[str]
    oidc_issuer: pulumi.Input[str]
    mirror: ImageMirror = NO_MIRROR


class Karpenter(pulumi.ComponentResource):
    """Karpenter controller with its own node role (EC2_LINUX access entry); installs the CRDs."""

    release: k8s.helm.v3.Release
    node_role: aws.iam.Role

    def __init__(self, name: str, args: KarpenterArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("kfstack:karpenter:Karpenter", name, None, opts)
        child = child_options(self, opts)
        # A separate node role: managed node groups already own an access entry for theirs.
        node = node_role(f"{name}-node", child)
        self.node_role = node.role
        entry = aws.eks.AccessEntry(
            f"{name}-node",
            cluster_name=args.cluster_name,
            principal_arn=node.role.arn,
            type="EC2_LINUX",
            opts=child,
        )
        trust = irsa_trust(
            args.oidc_provider_arn, args.oidc_issuer, KARPENTER_NAMESPACE, KARPENTER_SERVICE_ACCOUNT
        )
        policy = pulumi.Output.all(args.cluster_arn, node.role.arn).apply(
            lambda a: controller_policy(a[0], a[1])
        )
        controller = role_with_policies(f"{name}-controller", trust, [], child, inline_policy=policy)
        values = pulumi.Output.all(args.cluster_name, args.cluster_endpoint, controller.role.arn).apply(
            lambda a: controller_values(a[0], a[1], a[2], args.mirror)
        )
        self.release = helm_release(
            name,
            args.chart,
            KARPENTER_NAMESPACE,
            values,
            pulumi.ResourceOptions.merge(
                child, pulumi.ResourceOptions(depends_on=[entry, *controller.attachments, *node.attachments])
            ),
            release_name=args.chart.chart_name,
        )
        self.register_outputs({})


AMI_ALIAS = "al2023@latest"


def ec2_node_class_spec(
    node_role_name: str, subnet_ids: Sequence[str], security_group_ids: Sequence[str], disk_size_gib: int
) -> dict[str, Any]:
    """EC2NodeClass spec: AL2023 (Karpenter picks the NVIDIA variant for GPU types), IMDSv2 only."""
    return {
        "role": node_role_name,
        "amiSelectorTerms": [{"alias": AMI_ALIAS}],
        "subnetSelectorTerms": [{"id": s} for s in subnet_ids],
        "securityGroupSelectorTerms": [{"id": g} for g in security_group_ids],
        "metadataOptions": {
            "httpEndpoint": "enabled",
            "httpProtocolIPv6": "disabled",
            "httpPutResponseHopLimit": 1,  # pods cannot borrow the node role (node_group.IMDS_HOP_LIMIT)
            "httpTokens": "required",
        },
        "blockDeviceMappings": [
            {
                "deviceName": "/dev/xvda",
                "ebs": {
                    "volumeSize": f"{disk_size_gib}Gi",
                    "volumeType": "gp3",
                    "encrypted": True,
                    "deleteOnTermination": True,
                },
            }
        ],
    }


def node_pool_spec(
    node_class: str,
    instance_types: Sequence[str],
    capacity_type: CapacityType,
    architecture: Architecture,
    labels: Mapping[str, str],
    taints: Sequence[Mapping[str, Any]],
    limits: Mapping[str, str],
) -> dict[str, Any]:
    """NodePool spec: exactly the pool's instance types, capacity type and architecture."""
    return {
        "template": {
            "metadata": {"labels": dict(labels)},
            "spec": {
                "nodeClassRef": {"group": "karpenter.k8s.aws", "kind": "EC2NodeClass", "name": node_class},
                "requirements": [
                    {
                        "key": "node.kubernetes.io/instance-type",
                        "operator": "In",
                        "values": list(instance_types),
                    },
                    {
                        "key": "karpenter.sh/capacity-type",
                        "operator": "In",
                        "values": ["spot" if capacity_type == "SPOT" else "on-demand"],
                    },
                    {
                        "key": "kubernetes.io/arch",
                        "operator": "In",
                        "values": ["arm64" if architecture == "arm64" else "amd64"],
                    },
                ],
                "taints": [
                    {k: v for k, v in t.items() if k in ("key", "value", "effect") and v is not None}
                    for t in taints
                ],
                "expireAfter": "720h",
            },
        },
        "limits": dict(limits),
        "disruption": {"consolidationPolicy": "WhenEmptyOrUnderutilized", "consolidateAfter": "5m"},
    }


@dataclass(frozen=True)
class KarpenterPoolArgs:
    """One pool provisioned by Karpenter; its custom resources need the controller release (the CRD
    owner) in `opts.depends_on`."""

    instance_types: tuple[str, ...]
    capacity_type: CapacityType
    architecture: Architecture
    disk_size_gib: int
    labels: Mapping[str, str]
    taints: tuple[Mapping[str, Any], ...]
    limits: Mapping[str, str]
    node_role_name: pulumi.Input[str]
    subnet_ids: Sequence[pulumi.Input[str]]
    security_group_ids: Sequence[pulumi.Input[str]]


class KarpenterNodePool(pulumi.ComponentResource):
    """EC2NodeClass + NodePool named after the pool."""

    def __init__(
        self, name: str, args: KarpenterPoolArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("kfstack:karpenter:NodePool", name, None, opts)
        child = child_options(self, opts)
        class_spec = pulumi.Output.all(
            args.node_role_name,
            pulumi.Output.all(*args.subnet_ids),
            pulumi.Output.all(*args.security_group_ids),
        ).apply(lambda a: ec2_node_class_spec(a[0], a[1], a[2], args.disk_size_gib))
        node_class = k8s.apiextensions.CustomResource(
            f"{name}-nodeclass",
            api_version="karpenter.k8s.aws/v1",
            kind="EC2NodeClass",
            metadata=k8s.meta.v1.ObjectMetaArgs(name=name),
            spec=class_spec,
            opts=child,
        )
        k8s.apiextensions.CustomResource(
            f"{name}-nodepool",
            api_version="karpenter.sh/v1",
            kind="NodePool",
            metadata=k8s.meta.v1.ObjectMetaArgs(name=name),
            spec=node_pool_spec(
                name,
                args.instance_types,
                args.capacity_type,
                args.architecture,
                args.labels,
                args.taints,
                args.limits,
            ),
            opts=pulumi.ResourceOptions.merge(child, pulumi.ResourceOptions(depends_on=[node_class])),
        )
        self.register_outputs({})
