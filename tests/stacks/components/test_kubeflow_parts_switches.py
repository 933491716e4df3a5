"""Each Kubeflow part switches off on its own (and its dependents with it); KFP's claims name the
stack's ReadWriteOnce class; the kubeflow namespace carries upstream's labels."""

from __future__ import annotations

import pytest

from modules.namespaces import RESTRICTED, kubeflow_namespace_labels
from stacks.config.versions import dependents_of
from tests.stacks.components.kubeflow_parts import (
    checked_plan,
    key_of,
    needs_manifests,
    planned_objects,
    upstream,
    with_local_manifests,
)

INSTALL_OF = {
    "profiles": "profiles",
    "podDefaults": "pod-defaults",
    "kubeflowPipelines": "kubeflow-pipelines",
    "centralDashboard": "central-dashboard",
}


def _installs(plan) -> set[str]:
    return {r.name for r in plan.find("kfstack:kustomize:Install")}


@needs_manifests
@pytest.mark.parametrize("key", sorted(INSTALL_OF))
def test_switching_a_part_off_removes_it_and_its_dependents(env_config, key) -> None:
    off = (key, *dependents_of(key))

    def switch_off(values: dict) -> None:
        for name in off:
            values["components"][name] = {"enabled": False}
        if "profiles" in off:
            values.pop("profiles", None)  # declared profiles need the controller

    plan = checked_plan("local", env_config("local", with_local_manifests(switch_off)))
    expected = {INSTALL_OF[k] for k in INSTALL_OF if k not in off} | {
        "kubeflow-roles",
        "kubeflow-istio-roles",
    }
    assert _installs(plan) == expected
    removed_prefixes = tuple(f"{INSTALL_OF[k]}-" for k in off if k in INSTALL_OF)
    assert not [r.name for r in plan.resources if r.name.startswith(removed_prefixes)]


def test_with_every_kubeflow_part_off_no_roles_are_installed(env_config) -> None:
    def all_off(values: dict) -> None:
        for name in ("centralDashboard", "kubeflowPipelines", "profiles", "podDefaults"):
            values["components"][name] = {"enabled": False}
        values.pop("profiles", None)

    assert _installs(checked_plan("local", env_config("local", all_off))) == set()


@needs_manifests
def test_kfp_claims_use_the_stacks_rwo_class_and_wait_for_it(manifests_plan) -> None:
    plan = manifests_plan("dev")
    claims = {
        k: v
        for k, v in planned_objects(plan, name="kubeflow-pipelines").items()
        if k[1] == "PersistentVolumeClaim"
    }
    upstream_claims = {
        key_of(o): o
        for o in upstream("applications/pipeline/upstream/env/cert-manager/platform-agnostic-multi-user")
        if o["kind"] == "PersistentVolumeClaim"
    }
    assert set(claims) == set(upstream_claims) and len(claims) == 2
    assert all("storageClassName" not in o["spec"] for o in upstream_claims.values())  # why kfstack sets it
    (storage_class,) = [
        r
        for r in plan.find("kubernetes:storage.k8s.io/v1:StorageClass")
        if r.inputs["metadata"]["name"] == plan.config.storage.ebs.name
    ]
    for resource, obj in claims.values():
        assert obj["spec"]["storageClassName"] == plan.config.storage.ebs.name
        assert storage_class.urn in resource.dependencies


def test_kubeflow_namespace_has_upstreams_labels() -> None:
    (namespace,) = [
        o for o in upstream("common/kubeflow-namespace/base") if o["metadata"]["name"] == "kubeflow"
    ]
    labels = namespace["metadata"]["labels"]
    assert kubeflow_namespace_labels(istio_enabled=False) == {
        k: v for k, v in labels.items() if k != "istio-injection"
    }
    # with kfstack's Istio (sidecar injection, no CNI): all but Pod Security `restricted`, see the docstring
    assert kubeflow_namespace_labels(istio_enabled=True) == {
        k: v for k, v in labels.items() if k not in RESTRICTED
    }
    assert labels[next(iter(RESTRICTED))] == "restricted"


def test_the_poddefault_webhook_skips_the_kubeflow_namespace() -> None:
    (webhook_config,) = [
        o
        for o in upstream("applications/admission-webhook/upstream/overlays/cert-manager")
        if o["kind"] == "MutatingWebhookConfiguration"
    ]
    (webhook,) = webhook_config["webhooks"]
    assert webhook["failurePolicy"] == "Fail"
    selected = webhook["namespaceSelector"]["matchLabels"]
    for istio in (True, False):
        labels = kubeflow_namespace_labels(istio)
        assert not all(labels.get(k) == v for k, v in selected.items())
