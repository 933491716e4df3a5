"""GPU support: pool placements and the device plugin, on only where there is a GPU pool."""

from __future__ import annotations

import pytest

from stacks.components.gpu import SPEC, gpu_placements


@pytest.mark.parametrize("environment", ["dev", "staging", "prod"])
def test_gpu_pools_expose_their_placement(env_config, environment: str) -> None:
    placement = gpu_placements(env_config(environment))["gpu-a10g"]
    assert placement.tolerations == ({"key": "nvidia.com/gpu", "operator": "Exists", "effect": "NoSchedule"},)
    assert placement.node_selector == {"kfstack.io/pool": "gpu-a10g", "nvidia.com/gpu.present": "true"}


def test_device_plugin_is_pinned_selects_gpu_nodes_and_waits_for_the_addons(plan, custom_parts) -> None:
    result = plan("dev")
    (release,) = result.find("kubernetes:helm.sh/v3:Release", "nvidia-device-plugin")
    assert release.inputs["chart"] == "nvidia-device-plugin"
    assert release.inputs["repositoryOpts"] == {"repo": "https://nvidia.github.io/k8s-device-plugin"}
    assert release.inputs["version"] == result.config.components.version_of("nvidiaDevicePlugin")
    assert release.inputs["values"]["nodeSelector"] == {"nvidia.com/gpu.present": "true"}
    assert "replicas: 4" in release.inputs["values"]["config"]["map"]["default"]  # dev time-slices
    assert custom_parts(result, "kfstack:cluster:EksAddons") <= set(release.dependencies)


def test_switched_off_there_is_no_device_plugin_but_placements_remain(plan_of, env_config) -> None:
    def switch_off(values: dict) -> None:
        values["components"]["nvidiaDevicePlugin"] = {"enabled": False}

    assert plan_of("dev", switch_off).find("kfstack:gpu:NvidiaDevicePlugin") == []
    assert "gpu-a10g" in gpu_placements(env_config("dev", switch_off))


def test_without_a_gpu_pool_there_is_nothing_to_install_and_the_plan_says_why(plan) -> None:
    result = plan("local")
    assert result.find("kfstack:gpu:NvidiaDevicePlugin") == []
    assert SPEC.skip_reason is not None
    reason = SPEC.skip_reason(result.config)
    assert reason and f"components.nvidiaDevicePlugin is enabled but not installed: {reason}" in result.warnings


def test_an_existing_cluster_with_a_gpu_pool_gets_the_device_plugin(plan_of) -> None:
    def gpu_pool(values: dict) -> None:
        values["nodePools"] = {
            "gpu": {"gpu": True, "instanceTypes": ["g4dn.xlarge"], "taints": [{"key": "nvidia.com/gpu"}]}
        }

    result = plan_of("local", gpu_pool)
    (plugin,) = result.find("kfstack:gpu:NvidiaDevicePlugin")
    assert plugin.dependencies == []
    assert not [w for w in result.warnings if "nvidiaDevicePlugin" in w]
