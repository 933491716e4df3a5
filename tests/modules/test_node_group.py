"""Managed node groups: launch template (IMDSv2, encrypted gp3), scaling, taints and labels."""

from __future__ import annotations

import pulumi
import pulumi_aws as aws

from modules.gpu import ami_type, node_labels
from modules.node_group import ManagedNodeGroup, NodeGroupArgs, metadata_options, node_group_taints

GPU_TAINT = {"key": "nvidia.com/gpu", "effect": "NoSchedule"}


def test_taints_use_the_node_group_api_form() -> None:
    assert node_group_taints([GPU_TAINT, {"key": "k", "value": "v", "effect": "NoExecute"}]) == [
        {"key": "nvidia.com/gpu", "effect": "NO_SCHEDULE"},
        {"key": "k", "value": "v", "effect": "NO_EXECUTE"},
    ]


def test_imdsv2_is_required_and_stops_at_the_node() -> None:
    assert metadata_options()["http_tokens"] == "required"
    assert metadata_options()["http_put_response_hop_limit"] == 1


def _gpu_group(wait: bool = False, autoscaled: bool = False) -> None:
    provider = aws.Provider("aws", region="us-west-2")
    role = aws.iam.Role("node", assume_role_policy="{}", opts=pulumi.ResourceOptions(provider=provider))
    ManagedNodeGroup(
        "gpu-a10g",
        NodeGroupArgs(
            cluster_name="kfstack-test",
            node_role_arn=role.arn,
            subnet_ids=["subnet-a", "subnet-b"],
            instance_types=("g5.xlarge", "g5.2xlarge"),
            ami_type=ami_type(True, "x86_64"),
            min_size=0,
            desired_size=0,
            max_size=4,
            disk_size_gib=200,
            capacity_type="SPOT",
            labels=node_labels("gpu-a10g", {}, gpu=True),
            taints=(GPU_TAINT,),
            autoscaled=autoscaled,
            gpus_per_node=1,
        ),
        opts=pulumi.ResourceOptions(providers=[provider], depends_on=[role] if wait else None),
    )


def test_gpu_node_group_scales_from_zero_with_the_nvidia_ami_taint_and_label(record) -> None:
    rec = record(_gpu_group)
    group = rec.one("aws:eks/nodeGroup:NodeGroup", "gpu-a10g")
    inputs = group.inputs
    assert inputs["amiType"] == "AL2023_x86_64_NVIDIA"
    assert inputs["scalingConfig"] == {"minSize": 0, "desiredSize": 0, "maxSize": 4}
    assert inputs["taints"] == [{"key": "nvidia.com/gpu", "effect": "NO_SCHEDULE"}]
    assert inputs["labels"]["nvidia.com/gpu.present"] == "true"
    assert inputs["capacityType"] == "SPOT"
    assert inputs["instanceTypes"] == ["g5.xlarge", "g5.2xlarge"]
    assert inputs["nodeGroupNamePrefix"] == "gpu-a10g-"
    assert "diskSize" not in inputs  # the launch template owns the disk
    template = rec.one("aws:ec2/launchTemplate:LaunchTemplate", "gpu-a10g")
    assert template.inputs["metadataOptions"]["httpTokens"] == "required"
    ebs = template.inputs["blockDeviceMappings"][0]["ebs"]
    assert ebs["volumeSize"] == 200 and ebs["volumeType"] == "gp3" and ebs["encrypted"] == "true"
    assert inputs["launchTemplate"]["id"].startswith("lt-")
    assert group.provider == rec.one("pulumi:providers:aws").urn


def test_node_group_waits_for_what_the_caller_names(record) -> None:
    rec = record(lambda: _gpu_group(wait=True))
    role = rec.one("aws:iam/role:Role", "node")
    assert role.urn in rec.one("aws:eks/nodeGroup:NodeGroup").dependencies


def test_an_autoscaled_group_describes_its_nodes_on_its_asg(record) -> None:
    rec = record(lambda: _gpu_group(autoscaled=True))
    group = rec.one("aws:eks/nodeGroup:NodeGroup", "gpu-a10g")
    tags = {t.inputs["tag"]["key"]: t.inputs["tag"] for t in rec.find("aws:autoscaling/tag:Tag")}
    prefix = "k8s.io/cluster-autoscaler/node-template/"
    labels = {k.removeprefix(prefix + "label/"): t["value"] for k, t in tags.items() if "/label/" in k}
    assert labels == group.inputs["labels"]
    taints = {k.removeprefix(prefix + "taint/"): t["value"] for k, t in tags.items() if "/taint/" in k}
    assert taints == {"nvidia.com/gpu": ":NoSchedule"}
    assert tags[prefix + "resources/nvidia.com/gpu"]["value"] == "1"
    assert not any(t["propagateAtLaunch"] for t in tags.values())
    for tag in rec.find("aws:autoscaling/tag:Tag"):
        assert tag.inputs["autoscalingGroupName"].startswith("eks-gpu-a10g-")
        assert group.urn in tag.dependencies


def test_a_group_without_the_autoscaler_gets_no_template_tags_and_keeps_its_size(record) -> None:
    rec = record(_gpu_group)
    assert rec.find("aws:autoscaling/tag:Tag") == []
    assert rec.one("aws:eks/nodeGroup:NodeGroup").ignore_changes == []


def test_the_autoscaler_owns_an_autoscaled_groups_desired_size(record) -> None:
    group = record(lambda: _gpu_group(autoscaled=True)).one("aws:eks/nodeGroup:NodeGroup")
    assert group.ignore_changes == ["scalingConfig.desiredSize"]
