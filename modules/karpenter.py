"""Karpenter: the controller (IRSA role, node role, interruption queue, Helm release) and per-pool
NodePool + EC2NodeClass custom resources, as an alternative to managed node groups."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_aws as aws
import pulumi_kubernetes as k8s

from modules.eks_iam import (
    arn_parts,
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


def controller_policy(cluster_arn: str, cluster_name: str, node_role_arn: str, queue_arn: str) -> str:
    """The controller's IAM policy, scoped as Karpenter 1.14's reference CloudFormation scopes it.

    Checked statement by statement against aws/karpenter-provider-aws tag v1.14.0 (commit 85eeae8),
    website/content/en/docs/getting-started/getting-started-with-karpenter/cloudformation.yaml (the
    same file as website/content/en/v1.14/... at v1.14.1). The reference splits it into six managed
    policies (NodeLifecycle, IAMIntegration, EKSIntegration, Interruption, ZonalShift,
    ResourceDiscovery); here it is one inline policy with the same statements and Sids.

    EC2 writes are limited to resources tagged for this cluster and a NodePool; instance profiles to
    those tagged for this cluster, region and an EC2NodeClass; reads to the cluster's region.
    `ec2:DescribeInstanceStatus` is included: without it Karpenter 1.14 turns off instance health checks.
    """
    partition, region, account = arn_parts(cluster_arn)
    ec2 = f"arn:{partition}:ec2:{region}"
    cluster_tag = f"kubernetes.io/cluster/{cluster_name}"
    request_tags = {
        f"aws:RequestTag/{cluster_tag}": "owned",
        "aws:RequestTag/eks:eks-cluster-name": cluster_name,
    }
    created = [
        "fleet", "instance", "volume", "network-interface", "launch-template", "spot-instances-request"
    ]
    profile = f"arn:{partition}:iam::{account}:instance-profile/*"
    profile_resource_tags = {
        f"aws:ResourceTag/{cluster_tag}": "owned",
        "aws:ResourceTag/topology.kubernetes.io/region": region,
    }
    profile_request_tags = {**request_tags, "aws:RequestTag/topology.kubernetes.io/region": region}
    statements: list[dict[str, Any]] = [
        {
            "Sid": "AllowScopedEC2InstanceAccessActions",
            "Effect": "Allow",
            "Action": ["ec2:RunInstances", "ec2:CreateFleet"],
            "Resource": [
                f"{ec2}::image/*",
                f"{ec2}::snapshot/*",
                f"{ec2}:*:security-group/*",
                f"{ec2}:*:subnet/*",
                f"{ec2}:*:capacity-reservation/*",
                f"{ec2}:*:placement-group/*",
            ],
        },
        {
            "Sid": "AllowScopedEC2LaunchTemplateAccessActions",
            "Effect": "Allow",
            "Action": ["ec2:RunInstances", "ec2:CreateFleet"],
            "Resource": f"{ec2}:*:launch-template/*",
            "Condition": {
                "StringEquals": {f"aws:ResourceTag/{cluster_tag}": "owned"},
                "StringLike": {"aws:ResourceTag/karpenter.sh/nodepool": "*"},
            },
        },
        {
            "Sid": "AllowScopedEC2InstanceActionsWithTags",
            "Effect": "Allow",
            "Action": ["ec2:RunInstances", "ec2:CreateFleet", "ec2:CreateLaunchTemplate"],
            "Resource": [f"{ec2}:*:{kind}/*" for kind in created],
            "Condition": {
                "StringEquals": request_tags,
                "StringLike": {"aws:RequestTag/karpenter.sh/nodepool": "*"},
            },
        },
        {
            "Sid": "AllowScopedResourceCreationTagging",
            "Effect": "Allow",
            "Action": "ec2:CreateTags",
            "Resource": [f"{ec2}:*:{kind}/*" for kind in created],
            "Condition": {
                "StringEquals": {
                    **request_tags,
                    "ec2:CreateAction": ["RunInstances", "CreateFleet", "CreateLaunchTemplate"],
                },
                "StringLike": {"aws:RequestTag/karpenter.sh/nodepool": "*"},
            },
        },
        {
            "Sid": "AllowScopedResourceTagging",
            "Effect": "Allow",
            "Action": "ec2:CreateTags",
            "Resource": f"{ec2}:*:instance/*",
            "Condition": {
                "StringEquals": {f"aws:ResourceTag/{cluster_tag}": "owned"},
                "StringLike": {"aws:ResourceTag/karpenter.sh/nodepool": "*"},
                "StringEqualsIfExists": {"aws:RequestTag/eks:eks-cluster-name": cluster_name},
                "ForAllValues:StringEquals": {
                    "aws:TagKeys": ["eks:eks-cluster-name", "karpenter.sh/nodeclaim", "Name"]
                },
            },
        },
        {
            "Sid": "AllowScopedDeletion",
            "Effect": "Allow",
            "Action": ["ec2:TerminateInstances", "ec2:DeleteLaunchTemplate"],
            "Resource": [f"{ec2}:*:instance/*", f"{ec2}:*:launch-template/*"],
            "Condition": {
                "StringEquals": {f"aws:ResourceTag/{cluster_tag}": "owned"},
                "StringLike": {"aws:ResourceTag/karpenter.sh/nodepool": "*"},
            },
        },
        {
            "Sid": "AllowRegionalReadActions",
            "Effect": "Allow",
            "Action": [
                "ec2:DescribeCapacityReservations",
                "ec2:DescribeImages",
                "ec2:DescribeInstances",
                "ec2:DescribeInstanceStatus",
                "ec2:DescribeInstanceTypeOfferings",
                "ec2:DescribeInstanceTypes",
                "ec2:DescribeLaunchTemplates",
                "ec2:DescribePlacementGroups",
                "ec2:DescribeSecurityGroups",
                "ec2:DescribeSpotPriceHistory",
                "ec2:DescribeSubnets",
            ],
            "Resource": "*",
            "Condition": {"StringEquals": {"aws:RequestedRegion": region}},
        },
        {
            "Sid": "AllowSSMReadActions",
            "Effect": "Allow",
            "Action": "ssm:GetParameter",
            "Resource": f"arn:{partition}:ssm:{region}::parameter/aws/service/*",
        },
        {
            "Sid": "AllowPricingReadActions",
            "Effect": "Allow",
            "Action": "pricing:GetProducts",
            "Resource": "*",
        },
        {
            "Sid": "AllowInterruptionQueueActions",
            "Effect": "Allow",
            "Action": ["sqs:DeleteMessage", "sqs:GetQueueUrl", "sqs:ReceiveMessage"],
            "Resource": queue_arn,
        },
        {
            "Sid": "AllowPassingInstanceRole",
            "Effect": "Allow",
            "Action": "iam:PassRole",
            "Resource": node_role_arn,
            "Condition": {
                "StringEquals": {"iam:PassedToService": ["ec2.amazonaws.com", "ec2.amazonaws.com.cn"]}
            },
        },
        {
            "Sid": "AllowScopedInstanceProfileCreationActions",
            "Effect": "Allow",
            "Action": "iam:CreateInstanceProfile",
            "Resource": profile,
            "Condition": {
                "StringEquals": profile_request_tags,
                "StringLike": {"aws:RequestTag/karpenter.k8s.aws/ec2nodeclass": "*"},
            },
        },
        {
            "Sid": "AllowScopedInstanceProfileTagActions",
            "Effect": "Allow",
            "Action": "iam:TagInstanceProfile",
            "Resource": profile,
            "Condition": {
                "StringEquals": {**profile_resource_tags, **profile_request_tags},
                "StringLike": {
                    "aws:ResourceTag/karpenter.k8s.aws/ec2nodeclass": "*",
                    "aws:RequestTag/karpenter.k8s.aws/ec2nodeclass": "*",
                },
            },
        },
        {
            "Sid": "AllowScopedInstanceProfileActions",
            "Effect": "Allow",
            "Action": [
                "iam:AddRoleToInstanceProfile",
                "iam:RemoveRoleFromInstanceProfile",
                "iam:DeleteInstanceProfile",
            ],
            "Resource": profile,
            "Condition": {
                "StringEquals": profile_resource_tags,
                "StringLike": {"aws:ResourceTag/karpenter.k8s.aws/ec2nodeclass": "*"},
            },
        },
        {
            "Sid": "AllowInstanceProfileReadActions",
            "Effect": "Allow",
            "Action": "iam:GetInstanceProfile",
            "Resource": profile,
        },
        {
            # listing takes no resource scope; it finds profiles Karpenter created to clean them up
            "Sid": "AllowUnscopedInstanceProfileListAction",
            "Effect": "Allow",
            "Action": "iam:ListInstanceProfiles",
            "Resource": "*",
        },
        {
            "Sid": "AllowAPIServerEndpointDiscovery",
            "Effect": "Allow",
            "Action": "eks:DescribeCluster",
            "Resource": cluster_arn,
        },
        {
            # lets the controller see an ARC zonal shift of this cluster (its zonal-shift setting)
            "Sid": "AllowZonalShiftStatusReadOnly",
            "Effect": "Allow",
            "Action": "arc-zonal-shift:GetManagedResource",
            "Resource": "*",
            "Condition": {"StringEquals": {"arc-zonal-shift:ResourceIdentifier": cluster_arn}},
        },
    ]
    return json.dumps({"Version": "2012-10-17", "Statement": statements}, sort_keys=True)


INTERRUPTION_RETENTION_SECONDS = 300
"""How long an interruption message is kept (the reference queue's retention: older ones are stale)."""

INTERRUPTION_EVENTS: dict[str, dict[str, Any]] = {
    "scheduled-change": {"source": ["aws.health"], "detail-type": ["AWS Health Event"]},
    "spot-interruption": {"source": ["aws.ec2"], "detail-type": ["EC2 Spot Instance Interruption Warning"]},
    "rebalance": {"source": ["aws.ec2"], "detail-type": ["EC2 Instance Rebalance Recommendation"]},
    "state-change": {"source": ["aws.ec2"], "detail-type": ["EC2 Instance State-change Notification"]},
    "capacity-reservation": {
        "source": ["aws.ec2"],
        "detail-type": ["EC2 Capacity Reservation Instance Interruption Warning"],
    },
}
"""EventBridge rule name -> event pattern of what Karpenter handles from its interruption queue (the
five rules of the v1.14.0 reference CloudFormation cited in `controller_policy`)."""


def interruption_queue_policy(queue_arn: str) -> str:
    """Queue policy: EventBridge (and SQS itself) may send to the queue; nothing over plain HTTP."""
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Id": "EC2InterruptionPolicy",
            "Statement": [
                {
                    "Sid": "AllowInterruptionEvents",
                    "Effect": "Allow",
                    "Principal": {"Service": ["events.amazonaws.com", "sqs.amazonaws.com"]},
                    "Action": "sqs:SendMessage",
                    "Resource": queue_arn,
                },
                {
                    "Sid": "DenyHTTP",
                    "Effect": "Deny",
                    "Principal": "*",
                    "Action": "sqs:*",
                    "Resource": queue_arn,
                    "Condition": {"Bool": {"aws:SecureTransport": "false"}},
                },
            ],
        },
        sort_keys=True,
    )


KARPENTER_IMAGE = "public.ecr.aws/karpenter/controller"
"""The chart's controller image repository (tag and digest stay the chart's: a mirror keeps digests)."""


def controller_values(
    cluster_name: str,
    cluster_endpoint: str,
    role_arn: str,
    mirror: ImageMirror | None = None,
    interruption_queue: str | None = None,
) -> dict[str, Any]:
    """Helm values for the karpenter chart (runs on the managed system nodes, never on its own; its
    image from the mirror registry, if any; interruption handling from `interruption_queue`, a name)."""
    settings = {"clusterName": cluster_name, "clusterEndpoint": cluster_endpoint}
    if interruption_queue is not None:
        settings["interruptionQueue"] = interruption_queue
    values: dict[str, Any] = {
        "settings": settings,
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


class InterruptionQueue(pulumi.ComponentResource):
    """The SQS queue Karpenter drains ahead of interruptions, fed by EventBridge rules for spot
    interruption warnings, rebalance recommendations, instance state changes, AWS Health scheduled
    changes and capacity-reservation interruption warnings (as Karpenter's v1.14.0 reference
    CloudFormation sets it up)."""

    queue: aws.sqs.Queue

    def __init__(self, name: str, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("kfstack:karpenter:InterruptionQueue", name, None, opts)
        child = child_options(self, opts)
        self.queue = aws.sqs.Queue(
            name,
            message_retention_seconds=INTERRUPTION_RETENTION_SECONDS,
            sqs_managed_sse_enabled=True,
            opts=child,
        )
        aws.sqs.QueuePolicy(
            name, queue_url=self.queue.url, policy=self.queue.arn.apply(interruption_queue_policy), opts=child
        )
        for rule_name, pattern in INTERRUPTION_EVENTS.items():
            rule = aws.cloudwatch.EventRule(
                f"{name}-{rule_name}",
                description=f"Karpenter interruption handling: {rule_name}",
                event_pattern=json.dumps(pattern, sort_keys=True),
                opts=child,
            )
            aws.cloudwatch.EventTarget(
                f"{name}-{rule_name}", rule=rule.name, arn=self.queue.arn, target_id="karpenter", opts=child
            )
        self.register_outputs({"queueName": self.queue.name})


class Karpenter(pulumi.ComponentResource):
    """Karpenter controller with its own node role (EC2_LINUX access entry) and interruption queue;
    installs the CRDs."""

    release: k8s.helm.v3.Release
    node_role: aws.iam.Role
    interruption: InterruptionQueue

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
        self.interruption = InterruptionQueue(f"{name}-interruption", child)
        queue = self.interruption.queue
        policy = pulumi.Output.all(args.cluster_arn, args.cluster_name, node.role.arn, queue.arn).apply(
            lambda a: controller_policy(a[0], a[1], a[2], a[3])
        )
        controller = role_with_policies(f"{name}-controller", trust, [], child, inline_policy=policy)
        values = pulumi.Output.all(
            args.cluster_name, args.cluster_endpoint, controller.role.arn, queue.name
        ).apply(lambda a: controller_values(a[0], a[1], a[2], args.mirror, interruption_queue=a[3]))
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
