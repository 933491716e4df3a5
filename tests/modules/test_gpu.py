"""GPU support: AMI types, the GPU label, pool placements and the NVIDIA device plugin."""

from __future__ import annotations

import pulumi
import pulumi_kubernetes as k8s
import pytest
import yaml

from modules.gpu import (
    DevicePluginArgs,
    NvidiaDevicePlugin,
    PoolPlacement,
    ami_type,
    device_plugin_values,
    node_labels,
    pool_placement,
)
from modules.helm import HelmChart

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
    values = device_plugin_values(1)
    assert values["nodeSelector"] == {"nvidia.com/gpu.present": "true"}
    assert {"key": "nvidia.com/gpu", "operator": "Exists", "effect": "NoSchedule"} in values["tolerations"]
    assert "config" not in values


def test_time_slicing_adds_the_sharing_config() -> None:
    values = device_plugin_values(time_slicing_replicas=4)
    assert values["config"]["default"] == "default"
    config = yaml.safe_load(values["config"]["map"]["default"])
    assert config["version"] == "v1"
    assert config["sharing"]["timeSlicing"]["resources"] == [{"name": "nvidia.com/gpu", "replicas": 4}]


def test_device_plugin_release_is_the_chart_it_is_given(record) -> None:
    chart = HelmChart("nvidia-device-plugin", "0.18.2", "https://nvidia.github.io/k8s-device-plugin")

    def program() -> None:
        provider = k8s.Provider("k8s", kubeconfig="{}")
        NvidiaDevicePlugin(
            "nvidia-device-plugin",
            DevicePluginArgs(chart, time_slicing_replicas=2),
            opts=pulumi.ResourceOptions(providers=[provider]),
        )

    rec = record(program)
    release = rec.one("kubernetes:helm.sh/v3:Release")
    assert release.inputs["name"] == "nvidia-device-plugin"
    assert release.inputs["chart"] == "nvidia-device-plugin"
    assert release.inputs["version"] == "0.18.2"
    assert release.inputs["repositoryOpts"] == {"repo": "https://nvidia.github.io/k8s-device-plugin"}
    assert release.inputs["namespace"] == "kube-system"
    assert release.inputs["values"] == device_plugin_values(2)
    assert release.provider == rec.one("pulumi:providers:kubernetes", "k8s").urn


