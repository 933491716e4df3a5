"""The Kubernetes cluster autoscaler on EKS: its IAM role (EKS Pod Identity), its Helm release with
auto-discovery of the stack's node groups, and the node-template tags that let it scale a node group
from zero.

At zero nodes the autoscaler cannot see what a group's nodes would look like; EKS does not copy
node-group labels and taints to the Auto Scaling group, so the group's ASG carries them as
`k8s.io/cluster-autoscaler/node-template/...` tags (with the GPUs a node brings).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_aws as aws
import pulumi_kubernetes as k8s

from modules.artifact_access import POD_IDENTITY_PRINCIPAL
from modules.eks_iam import arn_parts, role_with_policies, service_trust_policy
from modules.helm import HelmChart, helm_release
from modules.images import NO_MIRROR, ImageMirror
from modules.options import child_options
from modules.vocabulary import GPU_RESOURCE

AUTOSCALER_NAMESPACE = "kube-system"
AUTOSCALER_SERVICE_ACCOUNT = "cluster-autoscaler"
AUTOSCALER_IMAGE = "registry.k8s.io/autoscaling/cluster-autoscaler"
"""The chart's image repository; the tag is the release matching the cluster's Kubernetes minor."""

TEMPLATE_PREFIX = "k8s.io/cluster-autoscaler/node-template"
ENABLED_TAG = "k8s.io/cluster-autoscaler/enabled"


def cluster_tag(cluster_name: str) -> str:
    """The ASG tag EKS puts on every managed node group of `cluster_name` (value `owned`)."""
    return f"k8s.io/cluster-autoscaler/{cluster_name}"


def node_template_tags(
    labels: Mapping[str, str], taints: Sequence[Mapping[str, Any]], gpus: int
) -> dict[str, str]:
    """ASG tags describing a group's nodes to the autoscaler: labels, taints (`value:Effect`) and
    the `nvidia.com/gpu` count when the nodes have GPUs."""
    tags = {f"{TEMPLATE_PREFIX}/label/{key}": value for key, value in labels.items()}
    for taint in taints:
        value = taint.get("value") or ""
        tags[f"{TEMPLATE_PREFIX}/taint/{taint['key']}"] = f"{value}:{taint.get('effect', 'NoSchedule')}"
    if gpus:
        tags[f"{TEMPLATE_PREFIX}/resources/{GPU_RESOURCE}"] = str(gpus)
    return tags


def autoscaler_policy(cluster_arn: str, cluster_name: str) -> str:
    """The autoscaler's IAM policy as the cluster-autoscaler AWS docs scope it: read Auto Scaling
    and EC2 anywhere (these take no resource scope), scale and terminate only the groups tagged for
    this cluster, describe only this cluster's node groups."""
    partition, region, account = arn_parts(cluster_arn)
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Sid": "ScaleOwnedGroups",
                    "Effect": "Allow",
                    "Action": [
                        "autoscaling:SetDesiredCapacity",
                        "autoscaling:TerminateInstanceInAutoScalingGroup",
                    ],
                    "Resource": "*",
                    "Condition": {"StringEquals": {f"aws:ResourceTag/{cluster_tag(cluster_name)}": "owned"}},
                },
                {
                    "Sid": "Discovery",
                    "Effect": "Allow",
                    "Action": [
                        "autoscaling:DescribeAutoScalingGroups",
                        "autoscaling:DescribeAutoScalingInstances",
                        "autoscaling:DescribeLaunchConfigurations",
                        "autoscaling:DescribeScalingActivities",
                        "autoscaling:DescribeTags",
                        "ec2:DescribeImages",
                        "ec2:DescribeInstanceTypes",
                        "ec2:DescribeLaunchTemplateVersions",
                        "ec2:GetInstanceTypesFromInstanceRequirements",
                    ],
                    "Resource": "*",
                },
                {
                    "Sid": "NodeGroups",
                    "Effect": "Allow",
                    "Action": "eks:DescribeNodegroup",
                    "Resource": f"arn:{partition}:eks:{region}:{account}:nodegroup/{cluster_name}/*/*",
                },
            ],
        },
        sort_keys=True,
    )


def autoscaler_values(
    cluster_name: str, region: str, image_tag: str, mirror: ImageMirror = NO_MIRROR
) -> dict[str, Any]:
    """Helm values of cluster-autoscaler 9.59: AWS, the stack's node groups by auto-discovery, on
    the system nodes, the image at `image_tag` (from the mirror, if any)."""
    image = mirror.image(f"{AUTOSCALER_IMAGE}:{image_tag}")
    return {
        "cloudProvider": "aws",
        "awsRegion": region,
        "autoDiscovery": {"clusterName": cluster_name, "tags": [ENABLED_TAG, cluster_tag(cluster_name)]},
        "image": {"repository": f"{image.registry}/{image.repository}", "tag": image.version},
        "fullnameOverride": "cluster-autoscaler",
        "rbac": {"serviceAccount": {"name": AUTOSCALER_SERVICE_ACCOUNT}},
        "extraArgs": {
            # pools with several instance types: the cheapest fit; similar groups across AZs balanced
            "expander": "least-waste",
            "balance-similar-node-groups": True,
        },
        "tolerations": [{"key": "CriticalAddonsOnly", "operator": "Exists"}],
        "resources": {"requests": {"cpu": "100m", "memory": "300Mi"}, "limits": {"memory": "600Mi"}},
    }


@dataclass(frozen=True)
class ClusterAutoscalerArgs:
    """The cluster the autoscaler scales; pass the node groups it runs on in `opts.depends_on`."""

    chart: HelmChart
    image_tag: str
    cluster_name: pulumi.Input[str]
    cluster_arn: pulumi.Input[str]
    region: str
    mirror: ImageMirror = NO_MIRROR


class ClusterAutoscaler(pulumi.ComponentResource):
    """The autoscaler's role, its Pod Identity association and the release (after both)."""

    release: k8s.helm.v3.Release
    role: aws.iam.Role

    def __init__(
        self, name: str, args: ClusterAutoscalerArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("kfstack:nodes:ClusterAutoscaler", name, None, opts)
        child = child_options(self, opts)
        policy = pulumi.Output.all(args.cluster_arn, args.cluster_name).apply(
            lambda a: autoscaler_policy(a[0], a[1])
        )
        iam = role_with_policies(
            name, service_trust_policy(POD_IDENTITY_PRINCIPAL), [], child, inline_policy=policy
        )
        self.role = iam.role
        after_policy = pulumi.ResourceOptions.merge(
            child, pulumi.ResourceOptions(depends_on=list(iam.attachments))
        )
        association = aws.eks.PodIdentityAssociation(
            name,
            cluster_name=args.cluster_name,
            namespace=AUTOSCALER_NAMESPACE,
            service_account=AUTOSCALER_SERVICE_ACCOUNT,
            role_arn=iam.role.arn,
            opts=after_policy,
        )
        values = pulumi.Output.from_input(args.cluster_name).apply(
            lambda cluster: autoscaler_values(cluster, args.region, args.image_tag, args.mirror)
        )
        self.release = helm_release(
            name,
            args.chart,
            AUTOSCALER_NAMESPACE,
            values,
            pulumi.ResourceOptions.merge(child, pulumi.ResourceOptions(depends_on=[association])),
            release_name="cluster-autoscaler",
        )
        self.register_outputs({"roleArn": iam.role.arn})
