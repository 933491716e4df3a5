"""The node-groups builder: one managed node group per managed pool on EKS, none elsewhere."""

from __future__ import annotations

import pytest


def test_each_managed_pool_becomes_a_node_group_with_its_ami_taints_and_labels(plan) -> None:
    result = plan("dev")
    groups = {g.name: g.inputs for g in result.find("aws:eks/nodeGroup:NodeGroup")}
    assert set(groups) == {"system", "gpu-a10g"}
    gpu = groups["gpu-a10g"]
    assert gpu["amiType"] == "AL2023_x86_64_NVIDIA"
    assert gpu["taints"] == [{"key": "nvidia.com/gpu", "effect": "NO_SCHEDULE"}]
    assert gpu["labels"]["nvidia.com/gpu.present"] == "true"
    assert gpu["scalingConfig"]["minSize"] == 0
    assert gpu["scalingConfig"]["maxSize"] == result.config.node_pools["gpu-a10g"].max_size
    assert gpu["capacityType"] == "SPOT"
    assert groups["system"]["amiType"] == "AL2023_x86_64_STANDARD"
    assert "taints" not in groups["system"]
    templates = result.find("aws:ec2/launchTemplate:LaunchTemplate")
    assert {t.name for t in templates} == {"system", "gpu-a10g"}


def test_node_groups_wait_for_the_node_role_policies(plan) -> None:
    result = plan("dev")
    attachments = {
        r.urn for r in result.find("aws:iam/rolePolicyAttachment:RolePolicyAttachment") if r.name.startswith("eks-node-")
    }
    assert len(attachments) == 4
    for group in result.find("aws:eks/nodeGroup:NodeGroup"):
        assert attachments <= set(group.dependencies)


def test_karpenter_pools_are_not_node_groups(plan) -> None:
    assert {g.name for g in plan("staging").find("aws:eks/nodeGroup:NodeGroup")} == {"system"}


def test_pools_of_an_existing_cluster_create_nothing(plan_of) -> None:
    def gpu_pool(values: dict) -> None:
        values["nodePools"] = {
            "gpu": {"gpu": True, "instanceTypes": ["g4dn.xlarge"], "taints": [{"key": "nvidia.com/gpu"}]}
        }

    result = plan_of("local", gpu_pool)
    assert result.find("kfstack:nodes:ManagedNodeGroup") == []


@pytest.mark.parametrize("environment", ["dev", "staging", "prod"])
def test_every_launch_template_of_an_eks_plan_keeps_imds_on_the_node(plan, environment: str) -> None:
    result = plan(environment)
    templates = result.find("aws:ec2/launchTemplate:LaunchTemplate")
    node_classes = [o for _, o in result.kubernetes_objects() if o.get("kind") == "EC2NodeClass"]
    assert templates and (node_classes or environment != "staging")  # staging runs Karpenter
    for template in templates:
        assert template.inputs["metadataOptions"]["httpPutResponseHopLimit"] == 1, template.name
        assert template.inputs["metadataOptions"]["httpTokens"] == "required", template.name
    for node_class in node_classes:
        assert node_class["spec"]["metadataOptions"]["httpPutResponseHopLimit"] == 1
