"""GPU pools: AMI types, taints and labels, placements, the device plugin, node groups, Karpenter."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pulumi_aws as aws
import pulumi_kubernetes as k8s
import pytest
import yaml

from modules.gpu import (
    DEVICE_PLUGIN_CHART,
    DEVICE_PLUGIN_REPO,
    DevicePluginArgs,
    NvidiaDevicePlugin,
    PoolPlacement,
    ami_type,
    device_plugin_values,
    node_labels,
    pool_placement,
)
from modules.karpenter import (
    Karpenter,
    KarpenterArgs,
    KarpenterNodePool,
    KarpenterPoolArgs,
    controller_values,
    ec2_node_class_spec,
    node_pool_spec,
)
from modules.node_group import ManagedNodeGroup, NodeGroupArgs, metadata_options, node_group_taints

GPU_TAINT = {"key": "nvidia.com/gpu", "effect": "NoSchedule"}


@pytest.mark.parametrize(
    ("gpu", "arch", "expected"),
    [
        (True, "x86_64", "AL2023_x86_64_NVIDIA"),
        (True, "arm64", "AL2023_ARM_64_NVIDIA"),
        (False, "x86_64", "AL2023_x86_64_STANDARD"),
        (False, "arm64", "AL2023_ARM_64_STANDARD"),
    ],
)
def test_ami_type(gpu: bool, arch: str, expected: str) -> None:
    assert ami_type(gpu, arch) == expected


def test_gpu_pools_are_labelled_for_the_device_plugin() -> None:
    assert node_labels("gpu-a10g", {"team": "ml"}, gpu=True) == {
        "kfstack.io/pool": "gpu-a10g",
        "nvidia.com/gpu.present": "true",
        "team": "ml",
    }
    assert "nvidia.com/gpu.present" not in node_labels("system", {}, gpu=False)


def test_taints_use_the_node_group_api_form() -> None:
    assert node_group_taints([GPU_TAINT, {"key": "k", "value": "v", "effect": "NoExecute"}]) == [
        {"key": "nvidia.com/gpu", "effect": "NO_SCHEDULE"},
        {"key": "k", "value": "v", "effect": "NO_EXECUTE"},
    ]


def test_imdsv2_is_required() -> None:
    assert metadata_options()["http_tokens"] == "required"


def test_pool_placement_tolerates_every_taint_and_selects_exactly_the_pool() -> None:
    placement = pool_placement(
        "gpu-a10g", [GPU_TAINT, {"key": "team", "value": "ml", "effect": "NoSchedule"}], True
    )
    assert placement == PoolPlacement(
        tolerations=(
            {"key": "nvidia.com/gpu", "operator": "Exists", "effect": "NoSchedule"},
            {"key": "team", "operator": "Equal", "value": "ml", "effect": "NoSchedule"},
        ),
        node_selector={"kfstack.io/pool": "gpu-a10g", "nvidia.com/gpu.present": "true"},
    )


def test_device_plugin_values_select_gpu_nodes_and_tolerate_the_taint() -> None:
    values = device_plugin_values()
    assert values["nodeSelector"] == {"nvidia.com/gpu.present": "true"}
    assert {"key": "nvidia.com/gpu", "operator": "Exists", "effect": "NoSchedule"} in values["tolerations"]
    assert "config" not in values


def test_time_slicing_adds_the_sharing_config() -> None:
    values = device_plugin_values(time_slicing_replicas=4)
    assert values["config"]["default"] == "default"
    config = yaml.safe_load(values["config"]["map"]["default"])
    assert config["version"] == "v1"
    assert config["sharing"]["timeSlicing"]["resources"] == [{"name": "nvidia.com/gpu", "replicas": 4}]


def test_device_plugin_release_is_pinned(record) -> None:
    def program() -> None:
        provider = k8s.Provider("k8s", kubeconfig="{}")
        NvidiaDevicePlugin(
            "nvidia-device-plugin", DevicePluginArgs("0.18.2", provider, time_slicing_replicas=2)
        )

    rec = record(program)
    release = rec.one("kubernetes:helm.sh/v3:Release")
    assert release.inputs["chart"] == DEVICE_PLUGIN_CHART
    assert release.inputs["version"] == "0.18.2"
    assert release.inputs["repositoryOpts"] == {"repo": DEVICE_PLUGIN_REPO}
    assert release.inputs["values"] == device_plugin_values(2)
    assert release.provider == rec.one("pulumi:providers:kubernetes", "k8s").urn


def test_gpu_node_group_scales_from_zero_with_the_nvidia_ami_taint_and_label(record) -> None:
    def program() -> None:
        provider = aws.Provider("aws", region="us-west-2")
        ManagedNodeGroup(
            "gpu-a10g",
            NodeGroupArgs(
                cluster_name="kfstack-test",
                node_role_arn="arn:aws:iam::123456789012:role/node",
                subnet_ids=["subnet-a", "subnet-b"],
                instance_types=("g5.xlarge", "g5.2xlarge"),
                ami_type=ami_type(True, "x86_64"),
                aws_provider=provider,
                min_size=0,
                desired_size=0,
                max_size=4,
                disk_size_gib=200,
                capacity_type="SPOT",
                labels=node_labels("gpu-a10g", {}, gpu=True),
                taints=(GPU_TAINT,),
            ),
        )

    rec = record(program)
    group = rec.one("aws:eks/nodeGroup:NodeGroup", "gpu-a10g")
    inputs = group.inputs
    assert inputs["amiType"] == "AL2023_x86_64_NVIDIA"
    assert inputs["scalingConfig"] == {"minSize": 0, "desiredSize": 0, "maxSize": 4}
    assert inputs["taints"] == [{"key": "nvidia.com/gpu", "effect": "NO_SCHEDULE"}]
    assert inputs["labels"]["nvidia.com/gpu.present"] == "true"
    assert inputs["capacityType"] == "SPOT"
    assert inputs["instanceTypes"] == ["g5.xlarge", "g5.2xlarge"]
    assert "diskSize" not in inputs  # the launch template owns the disk
    template = rec.one("aws:ec2/launchTemplate:LaunchTemplate", "gpu-a10g")
    assert template.inputs["metadataOptions"]["httpTokens"] == "required"
    ebs = template.inputs["blockDeviceMappings"][0]["ebs"]
    assert ebs["volumeSize"] == 200 and ebs["volumeType"] == "gp3" and ebs["encrypted"] == "true"
    assert inputs["launchTemplate"]["id"].startswith("lt-")


def _crd_schema(crd_dir: Path, group: str, kind: str) -> dict:
    return json.loads((crd_dir / group / f"{kind}_v1.json").read_text())["openAPIV3Schema"]


def test_karpenter_specs_validate_against_the_crd_schemas(crd_dir: Path) -> None:
    node_class = {
        "apiVersion": "karpenter.k8s.aws/v1",
        "kind": "EC2NodeClass",
        "metadata": {"name": "gpu"},
        "spec": ec2_node_class_spec("node-role", ["subnet-0a", "subnet-0b"], ["sg-0c"], 200),
    }
    node_pool = {
        "apiVersion": "karpenter.sh/v1",
        "kind": "NodePool",
        "metadata": {"name": "gpu"},
        "spec": node_pool_spec(
            "gpu",
            ["g5.xlarge"],
            "SPOT",
            "x86_64",
            node_labels("gpu", {}, gpu=True),
            [GPU_TAINT],
            {"nvidia.com/gpu": "4"},
        ),
    }
    jsonschema.validate(node_class, _crd_schema(crd_dir, "karpenter.k8s.aws", "EC2NodeClass"))
    jsonschema.validate(node_pool, _crd_schema(crd_dir, "karpenter.sh", "NodePool"))
    requirements = {r["key"]: r["values"] for r in node_pool["spec"]["template"]["spec"]["requirements"]}
    assert requirements == {
        "node.kubernetes.io/instance-type": ["g5.xlarge"],
        "karpenter.sh/capacity-type": ["spot"],
        "kubernetes.io/arch": ["amd64"],
    }
    assert node_class["spec"]["metadataOptions"]["httpTokens"] == "required"


def test_karpenter_controller_values_carry_the_cluster_and_irsa_role() -> None:
    values = controller_values("kfstack-dev", "https://x", "arn:aws:iam::1:role/karpenter")
    assert values["settings"] == {"clusterName": "kfstack-dev", "clusterEndpoint": "https://x"}
    assert values["serviceAccount"]["annotations"] == {
        "eks.amazonaws.com/role-arn": "arn:aws:iam::1:role/karpenter"
    }


def test_karpenter_pool_resources_depend_on_the_release_that_installs_their_crds(record) -> None:
    def program() -> None:
        aws_provider = aws.Provider("aws", region="us-west-2")
        provider = k8s.Provider("k8s", kubeconfig="{}")
        karpenter = Karpenter(
            "karpenter",
            KarpenterArgs(
                version="1.14.0",
                cluster_name="kfstack-test",
                cluster_arn="arn:aws:eks:us-west-2:123456789012:cluster/kfstack-test",
                cluster_endpoint="https://x",
                oidc_provider_arn="arn:aws:iam::123456789012:oidc-provider/oidc.example/id/X",
                oidc_issuer="https://oidc.example/id/X",
                aws_provider=aws_provider,
                provider=provider,
            ),
        )
        KarpenterNodePool(
            "gpu",
            KarpenterPoolArgs(
                instance_types=("g5.xlarge",),
                capacity_type="ON_DEMAND",
                architecture="x86_64",
                disk_size_gib=100,
                labels=node_labels("gpu", {}, gpu=True),
                taints=(GPU_TAINT,),
                limits={"nvidia.com/gpu": "2"},
                node_role_name=karpenter.node_role.name,
                subnet_ids=["subnet-0a", "subnet-0b"],
                security_group_ids=["sg-0c"],
                karpenter=karpenter.release,
                provider=provider,
            ),
        )

    rec = record(program)
    release = rec.one("kubernetes:helm.sh/v3:Release", "karpenter")
    assert release.inputs["chart"].endswith("/karpenter") and release.inputs["version"] == "1.14.0"
    node_class = rec.one("kubernetes:karpenter.k8s.aws/v1:EC2NodeClass")
    node_pool = rec.one("kubernetes:karpenter.sh/v1:NodePool")
    assert release.urn in node_class.dependencies and release.urn in node_pool.dependencies
    assert node_class.inputs["spec"]["role"].startswith("karpenter-node")
    entry = rec.one("aws:eks/accessEntry:AccessEntry", "karpenter-node")
    assert entry.inputs["type"] == "EC2_LINUX"
    policy = json.loads(rec.one("aws:iam/rolePolicy:RolePolicy", "karpenter-controller").inputs["policy"])
    pass_role = next(s for s in policy["Statement"] if s["Sid"] == "PassNodeRole")
    assert pass_role["Resource"].split(":role/")[1].startswith("karpenter-node")
