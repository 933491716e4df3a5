"""The whole program per shipped environment: every check passes, every object validates,
plans are deterministic, and enabled components it cannot install are named."""

from __future__ import annotations

import pytest

from kfstack.plan.build import plan_config
from kfstack.plan.checks import is_placeholder
from kfstack.plan.kubernetes_objects import api_group_version_kind
from kfstack.plan.kubernetes_schema import schema_errors
from stacks.components import absent_components, component_specs
from stacks.config.loader import load_environment

ENVIRONMENTS = ("local", "dev", "staging", "prod")
CUSTOM_GROUPS = {group for spec in component_specs() for group in spec.crd_groups} | {
    name.split(".", 1)[1] for spec in component_specs() for name in spec.crds
}


@pytest.mark.parametrize("environment", ENVIRONMENTS)
def test_plan_passes_every_check(plan, environment: str) -> None:
    assert [p.render() for p in plan(environment).problems] == []


@pytest.mark.parametrize("environment", ENVIRONMENTS)
def test_every_builtin_kubernetes_object_validates_against_the_configured_version(
    plan, environment: str
) -> None:
    result = plan(environment)
    version = result.config.cluster.kubernetes_version
    objects = result.kubernetes_objects()
    assert objects
    for resource, obj in objects:
        if api_group_version_kind(resource)[0] in CUSTOM_GROUPS:
            continue  # custom resources are checked against their CRD schemas by the plan
        # a secret (a Secret's whole stringData) is a placeholder only the engine fills in
        errors = [e.message for e in schema_errors(obj, version) if not is_placeholder(e.instance)]
        assert errors == [], resource.name


@pytest.mark.parametrize("environment", ENVIRONMENTS)
def test_the_plan_warns_about_each_enabled_component_it_does_not_install(plan, environment: str) -> None:
    result = plan(environment)
    expected = sorted(a.message() for a in absent_components(result.config))
    if environment == "local":  # no GPU pool: nothing for the GPU components to run on
        assert [a.key for a in absent_components(result.config)] == ["dcgmExporter", "nvidiaDevicePlugin"]
    assert sorted(w for w in result.warnings if w.startswith("components.")) == expected
    assert result.to_json()["warnings"] == sorted(result.warnings)


def test_plans_are_deterministic() -> None:
    environment, config = load_environment("prod")
    assert plan_config(environment, config).json_text() == plan_config(environment, config).json_text()
