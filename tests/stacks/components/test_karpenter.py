"""The Karpenter builder: on when switched on (EKS), with a NodePool + EC2NodeClass per pool."""

from __future__ import annotations

from stacks.components.karpenter import pool_limits


def test_staging_provisions_its_gpu_pool_with_karpenter(plan) -> None:
    result = plan("staging")
    (release,) = result.find("kubernetes:helm.sh/v3:Release", "karpenter")
    assert release.inputs["chart"] == "oci://public.ecr.aws/karpenter/karpenter"
    assert release.inputs["version"] == result.config.components.version_of("karpenter")
    (node_pool,) = result.find("kubernetes:karpenter.sh/v1:NodePool")
    (node_class,) = result.find("kubernetes:karpenter.k8s.aws/v1:EC2NodeClass")
    for custom in (node_pool, node_class):
        assert release.urn in custom.dependencies
    spec = node_pool.inputs["spec"]
    assert spec["limits"] == {"nvidia.com/gpu": "4"}
    assert spec["template"]["spec"]["taints"] == [{"key": "nvidia.com/gpu", "effect": "NoSchedule"}]
    assert spec["template"]["metadata"]["labels"]["nvidia.com/gpu.present"] == "true"
    assert len(node_class.inputs["spec"]["subnetSelectorTerms"]) == 3


def test_the_controller_waits_for_the_system_nodes_and_addons(plan, custom_parts) -> None:
    result = plan("staging")
    (release,) = result.find("kubernetes:helm.sh/v3:Release", "karpenter")
    expected = custom_parts(result, "kfstack:nodes:ManagedNodeGroup")
    expected |= custom_parts(result, "kfstack:cluster:EksAddons")
    assert expected <= set(release.dependencies)


def test_off_means_no_controller(plan) -> None:
    assert plan("dev").find("kfstack:karpenter:Karpenter") == []


def test_on_without_karpenter_pools_installs_only_the_controller(plan_of) -> None:
    def switch_on(values: dict) -> None:
        values["components"]["karpenter"] = {"enabled": True}

    result = plan_of("dev", switch_on)
    assert len(result.find("kfstack:karpenter:Karpenter")) == 1
    assert result.find("kfstack:karpenter:NodePool") == []
    assert not [w for w in result.warnings if "karpenter" in w]


def test_pool_limits_count_gpus_for_gpu_pools_and_nodes_otherwise(env_config) -> None:
    config = env_config("staging")
    assert pool_limits(config.node_pools["gpu-a10g"]) == {"nvidia.com/gpu": "4"}  # 4 nodes x 1 GPU
    assert pool_limits(config.node_pools["system"]) == {"nodes": "4"}


def test_staging_plan_shows_the_interruption_queue_and_its_rules(plan) -> None:
    result = plan("staging")
    (queue,) = result.find("aws:sqs/queue:Queue")
    assert queue.inputs["messageRetentionSeconds"] == 300 and queue.inputs["sqsManagedSseEnabled"] is True
    assert len(result.find("aws:cloudwatch/eventRule:EventRule")) == 5
    assert len(result.find("aws:cloudwatch/eventTarget:EventTarget")) == 5
    (release,) = result.find("kubernetes:helm.sh/v3:Release", "karpenter")
    assert release.inputs["values"]["settings"]["interruptionQueue"]
