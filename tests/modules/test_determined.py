"""Determined's values builders: mirrored images, pools from placements, policies."""

from __future__ import annotations

from modules.determined import AUX_POOL, determined_images, resource_pools, task_policy
from modules.gpu import PoolPlacement
from modules.images import ImageMirror

A10G = PoolPlacement(
    ({"key": "nvidia.com/gpu", "effect": "NoSchedule", "operator": "Exists"},),
    {"kfstack.io/pool": "a10g", "nvidia.com/gpu.present": "true"},
)


def test_without_a_mirror_the_images_are_upstreams() -> None:
    images = determined_images(ImageMirror(), "0.38.1")
    assert images.master_registry == "docker.io/determinedai"
    assert images.task == "docker.io/determinedai/pytorch-ngc:0.38.1"
    assert images.postgres == "docker.io/library/postgres:16.9"


def test_a_mirror_without_the_source_registry_moves_the_master_registry_too() -> None:
    images = determined_images(ImageMirror("registry.example.com/m", include_source_registry=False), "0.38.1")
    assert images.master_registry == "registry.example.com/m/determinedai"
    assert images.kube_scheduler == "registry.example.com/m/scheduler-plugins/kube-scheduler:v0.18.9"


def test_the_aux_pool_comes_first_then_one_pool_per_gpu_pool_in_config_order() -> None:
    pools = resource_pools({"a10g": A10G, "h100": A10G})
    assert [p["pool_name"] for p in pools] == [AUX_POOL, "a10g", "h100"]
    spec = pools[1]["task_container_defaults"]["gpu_pod_spec"]
    assert spec == {
        "apiVersion": "v1",
        "kind": "Pod",
        "spec": {"nodeSelector": A10G.node_selector, "tolerations": list(A10G.tolerations)},
    }


def test_task_pods_are_every_pod_the_chart_does_not_label_as_determined_system() -> None:
    selector = task_policy()["podSelector"]
    assert selector == {"matchExpressions": [{"key": "determined-system", "operator": "DoesNotExist"}]}
