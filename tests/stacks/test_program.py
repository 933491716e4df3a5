"""The whole program per shipped environment: every check passes, every object validates,
plans are deterministic, and enabled components it cannot install are named."""

from __future__ import annotations

import kubernetes_validate
import pytest

from kfstack.plan.build import plan_config
from kfstack.plan.kubernetes_objects import api_group_version_kind
from stacks.components import absent_components
from stacks.config.loader import load_environment

ENVIRONMENTS = ("local", "dev", "staging", "prod")
CUSTOM_GROUPS = {"karpenter.sh", "karpenter.k8s.aws"}


@pytest.mark.parametrize("environment", ENVIRONMENTS)
def test_plan_passes_every_check(plan, environment: str) -> None:
    assert [p.render() for p in plan(environment).problems] == []


@pytest.mark.parametrize("environment", ENVIRONMENTS)
def test_every_builtin_kubernetes_object_validates_against_the_configured_version(plan, environment: str) -> None:
    result = plan(environment)
    version = result.config.cluster.kubernetes_version
    objects = result.kubernetes_objects()
    assert objects
    for resource, obj in objects:
        if api_group_version_kind(resource)[0] in CUSTOM_GROUPS:
            continue  # custom resources are checked against their CRD schemas by the plan
        kubernetes_validate.validate(obj, version, strict=True)


@pytest.mark.parametrize("environment", ENVIRONMENTS)
def test_the_plan_warns_about_each_enabled_component_it_does_not_install(plan, environment: str) -> None:
    result = plan(environment)
    expected = sorted(a.message() for a in absent_components(result.config))
    assert expected  # the platform components are not built yet
    assert sorted(w for w in result.warnings if w.startswith("components.")) == expected
    assert result.to_json()["warnings"] == sorted(result.warnings)


def test_plans_are_deterministic() -> None:
    environment, config = load_environment("prod")
    assert plan_config(environment, config).json_text() == plan_config(environment, config).json_text()
