"""The Determined builder: off in every shipped environment; when on, a release whose resource pools
place tasks on the GPU pools, whose chart renders and validates, and whose passwords stay secret."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from kfstack.plan.build import Plan
from kfstack.plan.helm_template import RELEASE_TYPE, RenderedRelease, release_validation, rendered_release
from kfstack.plan.recorder import REDACTED
from stacks.components.determined import max_slots_per_pod
from stacks.components.gpu import gpu_placements
from stacks.config.secrets import SecretRef
from tests.conftest import REPO_ROOT

CHARTS = REPO_ROOT.parent / "shared" / "charts"
PASSWORD = "KnownDetPassw0rd-x7"
RENDER_PASSWORD = "Rendered-Passw0rd"
"""Stands in for the redacted secrets when rendering: the chart refuses to render without a password."""


def _enabled(values: dict[str, Any], **settings: Any) -> None:
    values["components"]["determined"] = {
        "enabled": True,
        "initialUserPassword": SecretRef("v1:det", plaintext=PASSWORD),
        **settings,
    }


def _with_secrets_substituted(values: Any) -> Any:
    if isinstance(values, dict):
        return {k: _with_secrets_substituted(v) for k, v in values.items()}
    if isinstance(values, list):
        return [_with_secrets_substituted(v) for v in values]
    return RENDER_PASSWORD if values == REDACTED else values


def _render(plan: Plan, helm: Path) -> RenderedRelease:
    (release,) = plan.find(RELEASE_TYPE, "determined")
    values = _with_secrets_substituted(release.inputs["values"])
    substituted = dataclasses.replace(release, inputs={**release.inputs, "values": values})
    return rendered_release(substituted, CHARTS, plan.config.cluster.kubernetes_version, helm)


def _master_config(rendered: RenderedRelease) -> dict[str, Any]:
    (secret,) = [o.manifest for o in rendered.objects if o.manifest["kind"] == "Secret"]
    return yaml.safe_load(secret["stringData"]["master.yaml"])


@pytest.mark.parametrize("environment", ["local", "dev", "staging", "prod"])
def test_determined_is_absent_from_every_shipped_environment(plan, environment: str) -> None:
    result = plan(environment)
    assert result.find(RELEASE_TYPE, "determined") == []
    assert not [r for r in result.resources if r.inputs.get("metadata", {}).get("namespace") == "determined"]


def test_enabled_determined_installs_the_pinned_chart_in_its_namespace(plan_of) -> None:
    result = plan_of("dev", _enabled)
    (release,) = result.find(RELEASE_TYPE, "determined")
    assert (release.inputs["chart"], release.inputs["version"]) == ("determined", "0.38.1")
    assert release.inputs["namespace"] == "determined"
    (namespace,) = [r for r in result.find("kubernetes:core/v1:Namespace") if r.name == "ns-determined"]
    assert namespace.urn in release.dependencies
    values = release.inputs["values"]
    assert values["db"]["storageClassName"] == "gp3"
    assert values["telemetry"] == {"enabled": False}


def test_resource_pools_carry_each_gpu_pools_node_selector_and_tolerations(plan_of, env_config) -> None:
    config = env_config("dev", _enabled)
    (placement,) = gpu_placements(config).values()
    (release,) = plan_of("dev", _enabled).find(RELEASE_TYPE, "determined")
    pools = {p["pool_name"]: p for p in release.inputs["values"]["resourcePools"]}
    assert set(pools) == {"default", "gpu-a10g"}
    assert "task_container_defaults" not in pools["default"]
    for kind in ("gpu_pod_spec", "cpu_pod_spec"):
        spec = pools["gpu-a10g"]["task_container_defaults"][kind]["spec"]
        assert spec["nodeSelector"] == placement.node_selector
        assert spec["tolerations"] == list(placement.tolerations)
    assert release.inputs["values"]["defaultComputeResourcePool"] == "gpu-a10g"
    assert release.inputs["values"]["defaultAuxResourcePool"] == "default"


def test_the_release_renders_from_the_packaged_chart_and_every_object_validates(
    plan_of, helm: Path, crd_dir: Path
) -> None:
    rendered = _render(plan_of("dev", _enabled), helm)
    validation = release_validation(rendered, crd_dir)
    assert validation.problems == [], "\n".join(p.render() for p in validation.problems)
    assert validation.unchecked == []
    assert rendered.placeholders == []  # the secrets were substituted before rendering
    master = _master_config(rendered)
    gpu = {p["pool_name"]: p for p in master["resource_pools"]}["gpu-a10g"]
    assert gpu["task_container_defaults"]["gpu_pod_spec"]["spec"]["tolerations"] == [
        {"key": "nvidia.com/gpu", "effect": "NoSchedule", "operator": "Exists"}
    ]
    assert master["resource_manager"]["max_slots_per_pod"] == 1  # dev time-slices its GPUs
    services = {
        o.manifest["metadata"]["name"]: o.manifest
        for o in rendered.objects
        if o.manifest["kind"] == "Service"
    }
    assert services["determined-master-service-determined"]["spec"]["type"] == "NodePort"


def test_network_policies_select_the_pods_the_chart_renders(plan_of, helm: Path) -> None:
    result = plan_of("dev", _enabled)
    rendered = _render(result, helm)
    pods = {
        o.manifest["metadata"]["name"]: o.manifest["spec"]["template"]["metadata"]["labels"]
        for o in rendered.objects
        if o.manifest["kind"] == "Deployment"
    }
    policies = {
        r.inputs["metadata"]["name"]: r.inputs["spec"]
        for r in result.find("kubernetes:networking.k8s.io/v1:NetworkPolicy")
        if r.inputs["metadata"]["namespace"] == "determined"
    }
    master_labels = pods["determined-master-deployment-determined"]
    db_labels = pods["determined-db-deployment-determined"]
    master_policy = policies["determined-master-ingress"]
    assert master_policy["podSelector"]["matchLabels"].items() <= master_labels.items()
    assert master_policy["ingress"] == [
        {"from": [{"podSelector": {}}], "ports": [{"port": 8081, "protocol": "TCP"}]}
    ]
    db_policy = policies["determined-db-ingress"]
    assert db_policy["podSelector"]["matchLabels"].items() <= db_labels.items()
    assert db_policy["ingress"][0]["from"] == [
        {"podSelector": {"matchLabels": {"app": "determined-master-determined"}}}
    ]
    # the chart labels its own pods determined-system; the task policy leaves them to the policies above
    assert "determined-system" in master_labels and "determined-system" in db_labels


def test_every_image_comes_through_the_mirror(plan_of, helm: Path) -> None:
    def edit(values: dict[str, Any]) -> None:
        _enabled(values)
        values["images"] = {"registry": "registry.example.com/mirror"}

    result = plan_of("dev", edit)
    rendered = _render(result, helm)
    images = [
        c["image"]
        for o in rendered.objects
        for c in o.manifest.get("spec", {}).get("template", {}).get("spec", {}).get("containers", [])
    ]
    task_images = _master_config(rendered)["task_container_defaults"]["image"]
    assert len(images) == 2 and len(task_images) == 3
    for image in [*images, *task_images.values()]:
        assert image.startswith("registry.example.com/mirror/"), image
    (release,) = result.find(RELEASE_TYPE, "determined")
    assert release.inputs["values"]["defaultImages"]["kubeScheduler"].startswith(
        "registry.example.com/mirror/"
    )


def test_the_passwords_are_secrets_in_the_plan_and_never_plain_text(plan_of) -> None:
    result = plan_of("dev", _enabled)
    (release,) = result.find(RELEASE_TYPE, "determined")
    # the chart takes both only as values (no existing-Secret option): Pulumi secrets, redacted here
    assert sorted(p for p in release.secret_paths if p.startswith("values")) == [
        "values.db.password",
        "values.initialUserPassword",
    ]
    assert release.inputs["values"]["initialUserPassword"] == REDACTED
    assert PASSWORD not in result.json_text()
    assert PASSWORD not in json.dumps(release.inputs)


def test_prod_protects_the_release_that_owns_the_database_and_its_password(plan_of) -> None:
    result = plan_of("prod", _enabled)
    (release,) = result.find(RELEASE_TYPE, "determined")
    (password,) = result.find("random:index/randomPassword:RandomPassword", "determined-db-password")
    assert release.protect and release.retain_on_delete
    assert password.protect and password.retain_on_delete
    (dev_release,) = plan_of("dev", _enabled).find(RELEASE_TYPE, "determined")
    assert not dev_release.protect


def test_max_slots_per_pod_is_the_gpu_count_the_pools_share(env_config) -> None:
    def pools(*types: str, replicas: int = 1, **settings: Any):
        def edit(values: dict[str, Any]) -> None:
            _enabled(values, **settings)
            values["nodePools"]["gpu-a10g"]["instanceTypes"] = list(types)
            values["components"]["nvidiaDevicePlugin"] = {"timeSlicingReplicas": replicas}

        return max_slots_per_pod(env_config("dev", edit))

    assert pools("g5.12xlarge", "g5.48xlarge") == 4
    assert pools("g5.48xlarge") == 8
    assert pools("g5.xlarge", "g5.12xlarge") == 1
    assert pools("g5.48xlarge", replicas=4) == 1  # a time-sliced GPU is one per pod
    assert pools("g5.48xlarge", maxSlotsPerPod=2) == 2
