"""Infrastructure rules: each bad config fails with its `kfstack:` key path (as `kfstack validate` shows)."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml

from stacks.config.errors import ConfigError
from stacks.config.loader import ENVIRONMENTS_DIR, load_environment, parse_environment, read_stack_file


def prod_values() -> dict[str, Any]:
    """The shipped prod environment's `kfstack:` values, ready to break."""
    return copy.deepcopy(read_stack_file(ENVIRONMENTS_DIR / "Pulumi.prod.yaml").values)


def problem_paths(values: dict[str, Any]) -> dict[str, str]:
    with pytest.raises(ConfigError) as caught:
        parse_environment(values)
    return {p.path: p.message for p in caught.value.problems}


def gpu_pool(values: dict[str, Any]) -> dict[str, Any]:
    return values["nodePools"]["gpu-a10g"]


def test_shipped_environments_are_valid() -> None:
    for name in ("local", "dev", "staging", "prod"):
        load_environment(name)


def test_untainted_gpu_pool_is_rejected() -> None:
    values = prod_values()
    gpu_pool(values)["taints"] = []
    found = problem_paths(values)
    assert list(found) == ["kfstack:nodePools.gpu-a10g.taints"]
    assert "nvidia.com/gpu" in found["kfstack:nodePools.gpu-a10g.taints"]


def test_gpu_pool_with_only_a_prefer_no_schedule_taint_is_rejected() -> None:
    values = prod_values()
    gpu_pool(values)["taints"] = [{"key": "nvidia.com/gpu", "effect": "PreferNoSchedule"}]
    assert "kfstack:nodePools.gpu-a10g.taints" in problem_paths(values)


def test_min_greater_than_max_is_rejected() -> None:
    values = prod_values()
    gpu_pool(values).update(minSize=3, desiredSize=3, maxSize=2)
    found = problem_paths(values)
    assert found == {
        "kfstack:nodePools.gpu-a10g.minSize": "sizes must satisfy minSize <= desiredSize <= maxSize"
    }


def test_desired_outside_min_max_is_rejected() -> None:
    values = prod_values()
    gpu_pool(values).update(minSize=0, desiredSize=9, maxSize=8)
    assert "kfstack:nodePools.gpu-a10g.minSize" in problem_paths(values)


def test_cpu_type_in_gpu_pool_is_rejected_with_suggestions() -> None:
    values = prod_values()
    gpu_pool(values)["instanceTypes"] = ["g5.xlarge", "m6i.xlarge"]
    found = problem_paths(values)
    assert list(found) == ["kfstack:nodePools.gpu-a10g.instanceTypes[1]"]
    assert "not a known GPU instance type" in found["kfstack:nodePools.gpu-a10g.instanceTypes[1]"]


def test_typo_in_gpu_type_suggests_the_right_one() -> None:
    values = prod_values()
    gpu_pool(values)["instanceTypes"] = ["g5.xlarg"]
    message = problem_paths(values)["kfstack:nodePools.gpu-a10g.instanceTypes[0]"]
    assert "did you mean g5.xlarge" in message


def test_gpu_type_in_a_cpu_pool_is_rejected() -> None:
    values = prod_values()
    values["nodePools"]["system"]["instanceTypes"] = ["g5.xlarge"]
    assert "kfstack:nodePools.system.instanceTypes[0]" in problem_paths(values)


def test_mixed_architectures_in_one_pool_are_rejected() -> None:
    values = prod_values()
    gpu_pool(values)["instanceTypes"] = ["g5.xlarge", "g5g.xlarge"]
    assert "mixes x86_64 and arm64" in problem_paths(values)["kfstack:nodePools.gpu-a10g.instanceTypes"]


def test_single_availability_zone_is_rejected() -> None:
    values = prod_values()
    values["cluster"]["eks"]["availabilityZones"] = ["us-east-1a"]
    found = problem_paths(values)
    assert list(found) == ["kfstack:cluster.eks.availabilityZones"]
    assert "at least 2" in found["kfstack:cluster.eks.availabilityZones"]


def test_same_zone_twice_counts_once() -> None:
    values = prod_values()
    values["cluster"]["eks"]["availabilityZones"] = ["us-east-1a", "us-east-1a"]
    assert "kfstack:cluster.eks.availabilityZones" in problem_paths(values)


def test_zone_outside_the_region_is_rejected() -> None:
    values = prod_values()
    values["cluster"]["eks"]["availabilityZones"] = ["us-east-1a", "us-west-2b"]
    assert "kfstack:cluster.eks.availabilityZones[1]" in problem_paths(values)


@pytest.mark.parametrize("version", ["1.29", "1.36", "2.0"])
def test_kubernetes_version_outside_the_supported_range_is_rejected(version: str) -> None:
    values = prod_values()
    values["cluster"]["kubernetesVersion"] = version
    assert "unsupported Kubernetes version" in problem_paths(values)["kfstack:cluster.kubernetesVersion"]


def test_invalid_and_too_small_vpc_cidrs_are_rejected() -> None:
    values = prod_values()
    values["cluster"]["eks"]["vpc"]["cidr"] = "10.0.0.1/16"
    assert "not a valid network CIDR" in problem_paths(values)["kfstack:cluster.eks.vpc.cidr"]
    values["cluster"]["eks"]["vpc"]["cidr"] = "10.0.0.0/24"
    assert "/16 to /20" in problem_paths(values)["kfstack:cluster.eks.vpc.cidr"]


def test_unknown_nat_policy_is_rejected() -> None:
    values = prod_values()
    values["cluster"]["eks"]["vpc"]["natGateways"] = "perZone"
    assert "kfstack:cluster.eks.vpc.natGateways" in problem_paths(values)


def test_existing_vpc_needs_two_private_subnets() -> None:
    values = prod_values()
    values["cluster"]["eks"]["vpc"] = {
        "id": "vpc-0abc",
        "cidr": "10.1.0.0/16",
        "privateSubnetIds": ["subnet-1"],
    }
    assert "kfstack:cluster.eks.vpc.privateSubnetIds" in problem_paths(values)


def test_subnet_ids_without_an_existing_vpc_are_rejected() -> None:
    values = prod_values()
    values["cluster"]["eks"]["vpc"]["privateSubnetIds"] = ["subnet-1", "subnet-2"]
    assert (
        "only allowed with an existing VPC"
        in problem_paths(values)["kfstack:cluster.eks.vpc.privateSubnetIds"]
    )


def test_unknown_addon_suggests_the_known_name() -> None:
    values = prod_values()
    values["cluster"]["eks"]["addons"] = {"aws-ebs-csi": {}}
    assert (
        "did you mean 'aws-ebs-csi-driver'" in problem_paths(values)["kfstack:cluster.eks.addons.aws-ebs-csi"]
    )


def test_addon_version_must_be_an_eks_build() -> None:
    values = prod_values()
    values["cluster"]["eks"]["addons"] = {"vpc-cni": {"version": "1.19"}}
    assert "kfstack:cluster.eks.addons.vpc-cni.version" in problem_paths(values)


def test_admin_role_must_be_a_role_arn() -> None:
    values = prod_values()
    values["cluster"]["eks"]["adminRoleArns"] = ["arn:aws:iam::123456789012:user/alice"]
    assert "kfstack:cluster.eks.adminRoleArns[0]" in problem_paths(values)


def test_unknown_control_plane_log_type_is_rejected() -> None:
    values = prod_values()
    values["cluster"]["eks"]["controlPlaneLogTypes"] = ["api", "kubelet"]
    assert "kfstack:cluster.eks.controlPlaneLogTypes[1]" in problem_paths(values)


def test_eks_needs_a_managed_cpu_pool_for_system_pods() -> None:
    values = prod_values()
    del values["nodePools"]["system"]
    assert "CPU managed node group" in problem_paths(values)["kfstack:nodePools"]


def test_karpenter_pool_needs_karpenter_enabled() -> None:
    values = prod_values()
    gpu_pool(values)["provisioner"] = "karpenter"
    assert problem_paths(values) == {
        "kfstack:nodePools.gpu-a10g.provisioner": "needs components.karpenter.enabled: true"
    }


def test_karpenter_pool_has_no_minimum() -> None:
    values = prod_values()
    values["components"]["karpenter"] = {"enabled": True}
    gpu_pool(values).update(provisioner="karpenter", minSize=1, desiredSize=1)
    assert "kfstack:nodePools.gpu-a10g.minSize" in problem_paths(values)


def test_karpenter_on_an_existing_cluster_is_rejected() -> None:
    values = copy.deepcopy(read_stack_file(ENVIRONMENTS_DIR / "Pulumi.local.yaml").values)
    values["components"]["karpenter"] = {"enabled": True}
    values["nodePools"] = {
        "gpu": {
            "gpu": True,
            "provisioner": "karpenter",
            "instanceTypes": ["g5.xlarge"],
            "taints": [{"key": "nvidia.com/gpu"}],
        }
    }
    found = problem_paths(values)
    assert set(found) == {"kfstack:components.karpenter.enabled", "kfstack:nodePools.gpu.provisioner"}


def test_bucket_on_an_existing_cluster_is_rejected_when_asked_for() -> None:
    values = copy.deepcopy(read_stack_file(ENVIRONMENTS_DIR / "Pulumi.local.yaml").values)
    values["storage"]["artifactBucket"] = {"enabled": True}
    assert "kfstack:storage.artifactBucket.enabled" in problem_paths(values)


def test_protected_environment_cannot_force_destroy_its_bucket() -> None:
    values = prod_values()
    values["storage"]["artifactBucket"]["forceDestroy"] = True
    assert "kfstack:storage.artifactBucket.forceDestroy" in problem_paths(values)


def test_volume_outside_the_pipelines_namespace_is_rejected() -> None:
    values = prod_values()
    values["storage"]["volumes"]["data"]["namespace"] = "other"
    assert "kfstack:storage.volumes.data.namespace" in problem_paths(values)


def test_reserved_label_domain_is_rejected() -> None:
    values = prod_values()
    gpu_pool(values)["labels"] = {"karpenter.sh/nodepool": "x"}
    assert "kfstack:nodePools.gpu-a10g.labels.karpenter.sh/nodepool" in problem_paths(values)


def test_gpu_present_label_cannot_be_turned_off() -> None:
    values = prod_values()
    gpu_pool(values)["labels"] = {"nvidia.com/gpu.present": "false"}
    assert "kfstack:nodePools.gpu-a10g.labels.nvidia.com/gpu.present" in problem_paths(values)


def test_bad_config_in_a_file_reports_path_and_line(tmp_path: Path) -> None:
    document = yaml.safe_load((ENVIRONMENTS_DIR / "Pulumi.prod.yaml").read_text())
    document["config"]["kfstack:nodePools"]["gpu-a10g"]["taints"] = []
    path = tmp_path / "Pulumi.broken.yaml"
    path.write_text(yaml.safe_dump(document, sort_keys=False))
    with pytest.raises(ConfigError) as caught:
        load_environment(str(path))
    (problem,) = caught.value.problems
    assert problem.path == "kfstack:nodePools.gpu-a10g.taints"
    assert problem.line is not None
    assert str(path) in str(caught.value)


def test_installed_addons_always_include_the_required_ones() -> None:
    _, config = load_environment("prod")
    assert config.cluster.eks is not None
    addons = config.cluster.eks.installed_addons()
    assert list(addons)[:5] == [
        "vpc-cni",
        "coredns",
        "kube-proxy",
        "aws-ebs-csi-driver",
        "aws-efs-csi-driver",
    ]
    assert all(version is None for version in addons.values())


def test_private_only_endpoint_without_a_way_in_is_rejected() -> None:
    values = prod_values()
    values["cluster"]["eks"]["endpointPublicAccess"] = False
    found = problem_paths(values)
    assert list(found) == ["kfstack:cluster.eks.endpointPublicAccess"]
    assert "runnerInVpc" in found["kfstack:cluster.eks.endpointPublicAccess"]


def test_private_only_endpoint_with_a_runner_in_the_vpc_is_valid() -> None:
    values = prod_values()
    values["cluster"]["eks"].update(endpointPublicAccess=False, runnerInVpc=True)
    assert parse_environment(values).cluster.eks.runner_in_vpc


def test_runner_in_the_vpc_needs_the_private_endpoint() -> None:
    values = prod_values()
    values["cluster"]["eks"].update(endpointPrivateAccess=False, runnerInVpc=True)
    assert "kfstack:cluster.eks.runnerInVpc" in problem_paths(values)


def test_public_endpoint_needs_valid_allowed_cidrs() -> None:
    values = prod_values()
    values["cluster"]["eks"]["publicAccessCidrs"] = []
    assert "kfstack:cluster.eks.publicAccessCidrs" in problem_paths(values)
    values["cluster"]["eks"]["publicAccessCidrs"] = ["203.0.113.7/24"]
    assert "kfstack:cluster.eks.publicAccessCidrs[0]" in problem_paths(values)


def test_prod_must_name_a_cluster_admin_role() -> None:
    values = prod_values()
    del values["cluster"]["eks"]["adminRoleArns"]
    found = problem_paths(values)
    assert list(found) == ["kfstack:cluster.eks.adminRoleArns"]


def test_gpu_node_group_without_the_cluster_autoscaler_is_rejected() -> None:
    values = prod_values()
    values["components"]["clusterAutoscaler"] = {"enabled": False}
    found = problem_paths(values)
    assert list(found) == ["kfstack:nodePools.gpu-a10g.provisioner"]
    assert "clusterAutoscaler.enabled" in found["kfstack:nodePools.gpu-a10g.provisioner"]


def test_cluster_autoscaler_of_another_kubernetes_minor_is_rejected() -> None:
    values = prod_values()
    values["cluster"]["kubernetesVersion"] = "1.33"
    found = problem_paths(values)
    assert list(found) == ["kfstack:components.clusterAutoscaler.version"]
    assert "set version: 1.33.6" in found["kfstack:components.clusterAutoscaler.version"]
    values["components"]["clusterAutoscaler"]["version"] = "1.33.6"
    parse_environment(values)


def test_cluster_autoscaler_on_an_existing_cluster_is_rejected() -> None:
    values = copy.deepcopy(read_stack_file(ENVIRONMENTS_DIR / "Pulumi.local.yaml").values)
    values.setdefault("components", {})["clusterAutoscaler"] = {"enabled": True}
    assert "kfstack:components.clusterAutoscaler.enabled" in problem_paths(values)
