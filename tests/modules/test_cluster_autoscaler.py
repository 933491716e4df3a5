"""The cluster autoscaler: node-template tags, the IAM policy as AWS documents it, values, resources."""

from __future__ import annotations

import json

import pulumi
import pulumi_aws as aws
import pulumi_kubernetes as k8s

from modules.cluster_autoscaler import (
    ClusterAutoscaler,
    ClusterAutoscalerArgs,
    autoscaler_policy,
    autoscaler_values,
    node_template_tags,
)
from modules.helm import HelmChart
from modules.images import ImageMirror

CHART = HelmChart("cluster-autoscaler", "9.59.0", "https://kubernetes.github.io/autoscaler")
CLUSTER_ARN = "arn:aws:eks:us-east-1:123456789012:cluster/kfstack-prod"


def test_node_template_tags_carry_labels_taints_and_gpus() -> None:
    tags = node_template_tags(
        {"kfstack.io/pool": "gpu", "nvidia.com/gpu.present": "true"},
        [{"key": "nvidia.com/gpu", "effect": "NoSchedule"}, {"key": "team", "value": "ml", "effect": "NoExecute"}],
        gpus=4,
    )
    prefix = "k8s.io/cluster-autoscaler/node-template"
    assert tags == {
        f"{prefix}/label/kfstack.io/pool": "gpu",
        f"{prefix}/label/nvidia.com/gpu.present": "true",
        f"{prefix}/taint/nvidia.com/gpu": ":NoSchedule",
        f"{prefix}/taint/team": "ml:NoExecute",
        f"{prefix}/resources/nvidia.com/gpu": "4",
    }
    assert not any("/resources/" in key for key in node_template_tags({}, [], gpus=0))


def test_policy_scales_only_groups_tagged_for_the_cluster() -> None:
    statements = {s["Sid"]: s for s in json.loads(autoscaler_policy(CLUSTER_ARN, "kfstack-prod"))["Statement"]}
    scale = statements["ScaleOwnedGroups"]
    assert sorted(scale["Action"]) == [
        "autoscaling:SetDesiredCapacity", "autoscaling:TerminateInstanceInAutoScalingGroup"
    ]
    assert scale["Condition"] == {
        "StringEquals": {"aws:ResourceTag/k8s.io/cluster-autoscaler/kfstack-prod": "owned"}
    }
    reads = statements["Discovery"]["Action"]
    assert all(a.split(":")[1].startswith(("Describe", "Get")) for a in reads)
    assert statements["NodeGroups"]["Resource"] == (
        "arn:aws:eks:us-east-1:123456789012:nodegroup/kfstack-prod/*/*"
    )
    writes = [a for s in statements.values() for a in ([s["Action"]] if isinstance(s["Action"], str)
              else s["Action"]) if not a.split(":")[1].startswith(("Describe", "Get"))]
    assert sorted(writes) == sorted(scale["Action"])


def test_values_discover_the_stacks_groups_with_the_image_from_the_mirror() -> None:
    values = autoscaler_values("kfstack-dev", "us-west-2", "v1.34.5", ImageMirror("registry.example.com/m"))
    assert values["autoDiscovery"] == {
        "clusterName": "kfstack-dev",
        "tags": ["k8s.io/cluster-autoscaler/enabled", "k8s.io/cluster-autoscaler/kfstack-dev"],
    }
    assert values["cloudProvider"] == "aws" and values["awsRegion"] == "us-west-2"
    assert values["image"] == {
        "repository": "registry.example.com/m/registry.k8s.io/autoscaling/cluster-autoscaler",
        "tag": "v1.34.5",
    }


def _autoscaler() -> None:
    aws_provider = aws.Provider("aws", region="us-east-1")
    provider = k8s.Provider("k8s", kubeconfig="{}")
    ClusterAutoscaler(
        "cluster-autoscaler",
        ClusterAutoscalerArgs(CHART, "v1.34.5", "kfstack-prod", CLUSTER_ARN, "us-east-1"),
        opts=pulumi.ResourceOptions(providers=[aws_provider, provider]),
    )


def test_the_release_runs_under_a_pod_identity_role_for_its_service_account(record) -> None:
    rec = record(_autoscaler)
    role = rec.one("aws:iam/role:Role", "cluster-autoscaler")
    trust = json.loads(role.inputs["assumeRolePolicy"])["Statement"][0]
    assert trust["Principal"] == {"Service": "pods.eks.amazonaws.com"}
    association = rec.one("aws:eks/podIdentityAssociation:PodIdentityAssociation")
    release = rec.one("kubernetes:helm.sh/v3:Release", "cluster-autoscaler")
    values = release.inputs["values"]
    assert (association.inputs["namespace"], association.inputs["serviceAccount"]) == (
        release.inputs["namespace"], values["rbac"]["serviceAccount"]["name"]
    )
    assert association.urn in release.dependencies
    policy = rec.one("aws:iam/rolePolicy:RolePolicy", "cluster-autoscaler")
    assert policy.urn in association.dependencies
    assert values["image"]["tag"] == "v1.34.5"
