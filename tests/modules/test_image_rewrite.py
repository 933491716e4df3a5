"""Fields naming images in Kubernetes objects, and their rewrite to the mirror registry."""

from __future__ import annotations

import copy
import json
from typing import Any

import yaml

from modules.image_rewrite import image_slots, is_reference, mirrored_images
from modules.images import NO_MIRROR, ImageMirror

MIRROR = ImageMirror("registry.example.com/mirror")


def _deployment(**container: Any) -> dict[str, Any]:
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "ml-pipeline", "namespace": "kubeflow"},
        "spec": {"template": {"spec": {"containers": [{"name": "main", **container}]}}},
    }


def test_containers_init_and_ephemeral_containers_of_any_workload_are_found() -> None:
    cron_job = {
        "kind": "CronJob",
        "spec": {
            "jobTemplate": {
                "spec": {
                    "template": {
                        "spec": {
                            "initContainers": [{"name": "a", "image": "busybox:1.28"}],
                            "containers": [{"name": "b", "image": "ghcr.io/x/y:1"}],
                            "ephemeralContainers": [{"name": "c", "image": "quay.io/d/e:2"}],
                        }
                    }
                }
            }
        },
    }
    assert [(s.path, s.value) for s in image_slots(cron_job)] == [
        ("spec.jobTemplate.spec.template.spec.initContainers[0].image", "busybox:1.28"),
        ("spec.jobTemplate.spec.template.spec.containers[0].image", "ghcr.io/x/y:1"),
        ("spec.jobTemplate.spec.template.spec.ephemeralContainers[0].image", "quay.io/d/e:2"),
    ]


def test_controller_image_env_and_arguments_are_found() -> None:
    obj = _deployment(
        image="ghcr.io/kubeflow/kfp-api-server:2.16.0",
        env=[
            {"name": "V2_DRIVER_IMAGE", "value": "ghcr.io/kubeflow/kfp-driver:2.16.0"},
            {"name": "LOG_LEVEL", "value": "info"},
            {"name": "CACHE_IMAGE", "valueFrom": {"configMapKeyRef": {"name": "x", "key": "cacheImage"}}},
        ],
        args=["--executor-image", "quay.io/argoproj/argoexec:v3.7.3", "--acme-http01-solver-image=q.io/s:1"],
    )
    assert [(s.path, s.value) for s in image_slots(obj)][1:] == [
        ("spec.template.spec.containers[0].env[V2_DRIVER_IMAGE]", "ghcr.io/kubeflow/kfp-driver:2.16.0"),
        ("spec.template.spec.containers[0].args[1]", "quay.io/argoproj/argoexec:v3.7.3"),
        ("spec.template.spec.containers[0].args[2]", "q.io/s:1"),
    ]


def test_templates_and_bare_names_are_not_references() -> None:
    assert not is_reference("{{ .ProxyImage }}")
    assert not is_reference("auto")
    assert not is_reference("proxyv2")
    assert not is_reference("https://example.com/x")
    assert not is_reference("disabled")
    assert is_reference("busybox:1.28")


def test_config_map_image_keys_and_json_values_are_found_but_not_other_data() -> None:
    config = {
        "kind": "ConfigMap",
        "data": {
            "cacheImage": "ghcr.io/containerd/busybox",
            "queue-sidecar-image": "gcr.io/knative/queue@sha256:" + "ab" * 32,
            "kubernetes.podspec-volumes-image": "disabled",
            "storageInitializer": json.dumps({"image": "kserve/storage-initializer:v0.16.0", "cpu": "1"}),
            "values": json.dumps({"global": {"hub": "docker.io/istio", "proxy": {"image": "proxyv2"}}}),
            "sync.py": "import os\nimage = 'ghcr.io/x/y:1'\n",
        },
    }
    slots = {s.path: (s.value, s.kind) for s in image_slots(config)}
    assert slots == {
        "data.cacheImage": ("ghcr.io/containerd/busybox", "repository"),
        "data.queue-sidecar-image": ("gcr.io/knative/queue@sha256:" + "ab" * 32, "image"),
        "data.storageInitializer.image": ("kserve/storage-initializer:v0.16.0", "image"),
        "data.values.global.hub": ("docker.io/istio", "hub"),
    }


def test_a_switched_off_config_section_names_no_image() -> None:
    off = {"enabled": False, "defaultJobImage": "kserve/storage-initializer:latest"}
    on = {**off, "enabled": True}
    config = {"kind": "ConfigMap", "data": {"localModel": json.dumps(off), "other": json.dumps({"x": on})}}
    assert [s.path for s in image_slots(config)] == ["data.other.x.defaultJobImage"]


def test_crds_name_no_images() -> None:
    crd = {"kind": "CustomResourceDefinition", "spec": {"containers": [{"image": "x/y:1"}]}}
    assert image_slots(crd) == []


def test_rewrite_moves_every_found_image_to_the_mirror() -> None:
    obj = _deployment(
        image="ghcr.io/kubeflow/kfp-api-server:2.16.0",
        env=[{"name": "V2_LAUNCHER_IMAGE", "value": "ghcr.io/kubeflow/kfp-launcher:2.16.0"}],
        args=["--executor-image=quay.io/argoproj/argoexec:v3.7.3"],
    )
    mirrored_images(MIRROR)(obj)
    container = obj["spec"]["template"]["spec"]["containers"][0]
    assert container["image"] == "registry.example.com/mirror/ghcr.io/kubeflow/kfp-api-server:2.16.0"
    assert container["env"][0]["value"] == "registry.example.com/mirror/ghcr.io/kubeflow/kfp-launcher:2.16.0"
    assert container["args"] == [
        "--executor-image=registry.example.com/mirror/quay.io/argoproj/argoexec:v3.7.3"
    ]


def test_rewrite_writes_parsed_config_map_values_back() -> None:
    config = {
        "kind": "ConfigMap",
        "data": {
            "agent": json.dumps({"image": "kserve/agent:v0.16.0", "memoryLimit": "1Gi"}),
            "config.yaml": "explainers:\n  art:\n    image: kserve/art-explainer\n",
        },
    }
    mirrored_images(MIRROR)(config)
    assert json.loads(config["data"]["agent"]) == {
        "image": "registry.example.com/mirror/docker.io/kserve/agent:v0.16.0",
        "memoryLimit": "1Gi",
    }
    assert yaml.safe_load(config["data"]["config.yaml"]) == {
        "explainers": {"art": {"image": "registry.example.com/mirror/docker.io/kserve/art-explainer"}}
    }


def test_rewrite_sets_the_image_a_controller_compiles_in() -> None:
    profile_controller = _deployment(image="python:3.12")
    profile_controller["metadata"]["name"] = "kubeflow-pipelines-profile-controller"
    profile_controller["spec"]["template"]["spec"]["containers"][0]["name"] = "profile-controller"
    mirrored_images(MIRROR)(profile_controller)
    (container,) = profile_controller["spec"]["template"]["spec"]["containers"]
    assert container["env"] == [
        {"name": "FRONTEND_IMAGE", "value": "registry.example.com/mirror/ghcr.io/kubeflow/kfp-frontend"}
    ]


def test_without_a_mirror_registry_nothing_changes() -> None:
    obj = _deployment(image="ghcr.io/kubeflow/kfp-api-server:2.16.0")
    before = copy.deepcopy(obj)
    mirrored_images(NO_MIRROR)(obj)
    assert obj == before
