"""Kubeflow's parts come from kubeflow/manifests: with a local copy the plan holds every object its
kustomizations build (minus what kfstack deliberately leaves out), each object valid; with the default
remote source the plan says it cannot show them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from kfstack.plan.kubernetes_objects import kubernetes_object
from stacks.components.central_dashboard import SPEC as DASHBOARD
from stacks.components.kubeflow_manifests import offline_warning
from stacks.components.kubeflow_pipelines import SPEC as PIPELINES
from stacks.components.kubeflow_roles import (
    GATEWAY_KIND,
    GATEWAY_NAME,
    GATEWAY_NAMESPACE,
    ISTIO_RESOURCES,
    ROLES,
)
from stacks.components.pod_defaults import SPEC as POD_DEFAULTS
from stacks.components.profiles import SPEC as PROFILES
from tests.stacks.components.kubeflow_parts import key_of, needs_manifests, planned_objects, upstream

# install name -> kustomization path
INSTALLS = {
    "kubeflow-roles": ROLES,
    "kubeflow-istio-roles": ISTIO_RESOURCES,
    "profiles": PROFILES.manifests[0],
    "pod-defaults": POD_DEFAULTS.manifests[0],
    "kubeflow-pipelines": PIPELINES.manifests[0],
    "central-dashboard": DASHBOARD.manifests[0],
}
DROPPED = {("networking.istio.io/v1alpha3", GATEWAY_KIND, GATEWAY_NAMESPACE, GATEWAY_NAME)}
"""kfstack's Istio builder creates the kubeflow Gateway (with TLS) instead of upstream's."""


def _without_nulls(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _without_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_without_nulls(v) for v in value]
    return value


@needs_manifests
@pytest.mark.parametrize("install", sorted(INSTALLS))
def test_every_upstream_object_is_planned_except_the_dropped_gateway(manifests_plan, install) -> None:
    planned = planned_objects(manifests_plan("local"), name=install)
    built = {key_of(obj): obj for obj in upstream(INSTALLS[install])}
    assert set(planned) == set(built) - DROPPED
    for key, (_, obj) in planned.items():
        if key[1] not in ("Secret", "PersistentVolumeClaim"):  # Secrets are redacted; claims: see KFP test
            # `status` is what the API server reports (the provider takes no status input); nulls such as
            # `creationTimestamp: null` are not sent
            assert obj == _without_nulls({k: v for k, v in built[key].items() if k != "status"}), key


@needs_manifests
def test_custom_resources_depend_on_the_crds_of_their_kustomization(manifests_plan) -> None:
    plan = manifests_plan("local")
    crds = {
        (r.inputs["spec"]["group"], r.inputs["spec"]["names"]["kind"]): r.urn
        for r in plan.find("kubernetes:apiextensions.k8s.io/v1:CustomResourceDefinition")
    }
    decorator = planned_objects(plan, name="kubeflow-pipelines")[
        (
            "metacontroller.k8s.io/v1alpha1",
            "DecoratorController",
            "kubeflow",
            "kubeflow-pipelines-profile-controller",
        )
    ][0]
    assert crds[("metacontroller.k8s.io", "DecoratorController")] in decorator.dependencies


@needs_manifests
def test_declared_crds_are_the_ones_upstream_ships(manifests_plan) -> None:
    for spec in (PROFILES, POD_DEFAULTS, PIPELINES, DASHBOARD):
        shipped = {
            o["metadata"]["name"]
            for o in upstream(spec.manifests[0])
            if o["kind"] == "CustomResourceDefinition"
        }
        assert set(spec.crds) == shipped, spec.name


@needs_manifests
def test_kubeflow_parts_install_after_the_roles_and_the_kubeflow_namespace(manifests_plan) -> None:
    plan = manifests_plan("local")
    roles = {r.urn for r, _ in planned_objects(plan, name="kubeflow-roles").values()}
    (namespace,) = [
        r for r in plan.find("kubernetes:core/v1:Namespace") if r.inputs["metadata"]["name"] == "kubeflow"
    ]
    for install in ("profiles", "pod-defaults", "kubeflow-pipelines", "central-dashboard"):
        for resource, _ in planned_objects(plan, name=install).values():
            assert namespace.urn in resource.dependencies
            assert roles <= set(resource.dependencies), resource.name


def test_the_default_remote_source_plans_no_objects_and_says_so(plan) -> None:
    local = plan("local")
    assert not [r for r in local.resources if r.parent and "kustomize:Directory" in r.parent and r.custom]
    for spec in (PROFILES, POD_DEFAULTS, PIPELINES, DASHBOARD):
        url = local.config.components.manifests(spec.key, spec.manifests[0])
        assert url.startswith("https://github.com/kubeflow/manifests//") and url.endswith("?ref=26.03")
        assert offline_warning(url) in local.warnings
        assert offline_warning(url).startswith(
            f"{spec.key}: objects not shown offline: manifests come from {url};"
        )


@needs_manifests
def test_planned_objects_are_the_applied_objects(manifests_plan) -> None:
    plan = manifests_plan("local")
    (resource, obj) = planned_objects(plan, name="profiles")[
        ("apps/v1", "Deployment", "kubeflow", "profiles-deployment")
    ]
    assert kubernetes_object(resource) == obj and resource.name == "profiles-kubeflow/profiles-deployment"


@needs_manifests
def test_every_kustomize_object_uses_the_clusters_provider(manifests_plan) -> None:
    plan = manifests_plan("local")
    (provider,) = plan.find("pulumi:providers:kubernetes")
    objects = [r for install in INSTALLS for r, _ in planned_objects(plan, name=install).values()]
    assert objects and all(r.provider == provider.urn for r in objects)


def test_a_local_source_without_a_kustomization_is_an_error_not_a_remote_warning(tmp_path) -> None:
    from stacks.components.kubeflow_manifests import kustomize_directory

    missing = tmp_path / "applications" / "profiles" / "upstream" / "overlays" / "kubeflow"
    answer = kustomize_directory({"directory": str(missing)}, lambda tool: Path(tool))
    assert answer.outputs == {"result": []} and answer.warnings == ()
    (error,) = answer.errors
    assert error.startswith(f"profiles: no kustomization.yaml in {missing}: components.manifestsDirectory")


def test_a_local_kustomization_that_does_not_build_fails_the_plan_with_kubectls_message(
    tmp_path, env_config
) -> None:
    from kfstack.plan.build import plan_config

    roles = tmp_path / "common" / "kubeflow-roles" / "base"
    roles.mkdir(parents=True)
    (roles / "kustomization.yaml").write_text("resources: [missing.yaml]\n")

    def local_copy(values: dict) -> None:
        values["components"]["manifestsDirectory"] = str(tmp_path)

    result = plan_config("local", env_config("local", local_copy))
    messages = [p.message for p in result.problems if p.check == "offline build"]
    assert any(m.startswith("kubeflow-roles: kubectl kustomize") and "missing.yaml" in m for m in messages)
    assert not any(m.startswith("E1") for m in messages)  # no klog prefix
