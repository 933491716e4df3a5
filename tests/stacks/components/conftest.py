"""Fixtures for builder tests: a shipped environment's config with edits, and its plan."""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pulumi
import pytest

from kfstack.plan.binaries import ToolNotFound, find_tool
from kfstack.plan.build import Plan, plan_config
from stacks.config.environment import EnvironmentConfig
from stacks.config.loader import ENVIRONMENTS_DIR, parse_environment, read_stack_file
from tests.conftest import REPO_ROOT

Edit = Callable[[dict[str, Any]], None]


@pytest.fixture
def env_config() -> Callable[..., EnvironmentConfig]:
    """`env_config("dev", edit)`: the shipped environment's config, `edit` applied to its raw values."""

    def _config(environment: str, edit: Edit | None = None) -> EnvironmentConfig:
        values = copy.deepcopy(read_stack_file(ENVIRONMENTS_DIR / f"Pulumi.{environment}.yaml").values)
        if edit is not None:
            edit(values)
        return parse_environment(values)

    return _config


@pytest.fixture
def plan_of(env_config: Callable[..., EnvironmentConfig]) -> Callable[..., Plan]:
    """`plan_of("dev", edit)`: the plan of an edited shipped environment; its checks must pass."""

    def _plan(environment: str, edit: Edit | None = None) -> Plan:
        result = plan_config(environment, env_config(environment, edit))
        assert [p.render() for p in result.problems] == []
        return result

    return _plan


@pytest.fixture
def custom_parts() -> Callable[[Plan, str], set[str]]:
    """`custom_parts(plan, component_type)`: URNs of the custom resources inside those components.

    Depending on a component is recorded as depending on each custom resource inside it.
    """

    def _parts(plan: Plan, component_type: str) -> set[str]:
        roots = {r.urn for r in plan.find(component_type)}
        assert roots, f"no {component_type} in the plan"
        inside: set[str] = set()
        for resource in plan.resources:
            parent = resource.parent
            chain = {r.urn: r.parent for r in plan.resources}
            while parent and parent not in roots:
                parent = chain.get(parent, "")
            if parent and resource.custom:
                inside.add(resource.urn)
        return inside

    return _parts


@pytest.fixture(scope="session")
def local_plans() -> dict[str, Plan]:
    """Plans with the local kubeflow/manifests copy, by environment (each is slow: built once)."""
    return {}


@pytest.fixture
def manifests_plan(local_plans: dict[str, Plan], env_config: Callable[..., EnvironmentConfig]):
    """`manifests_plan("local")`: the checked plan with `components.manifestsDirectory` set (cached)."""
    from tests.stacks.components.kubeflow_parts import checked_plan, with_local_manifests

    def _plan(environment: str) -> Plan:
        if environment not in local_plans:
            local_plans[environment] = checked_plan(
                environment, env_config(environment, with_local_manifests())
            )
        return local_plans[environment]

    return _plan


@pytest.fixture
def exports(monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """Stack outputs the program exports: name -> the plain value (or Output)."""
    exported: dict[str, Any] = {}
    monkeypatch.setattr(pulumi, "export", lambda name, value: exported.__setitem__(name, value))
    return exported


@pytest.fixture(scope="session")
def helm() -> Path:
    """The helm binary, for tests that render the packaged charts in ../shared/charts (skipped without)."""
    charts = REPO_ROOT.parent / "shared" / "charts"
    if not charts.is_dir():
        pytest.skip(f"packaged charts not found at {charts}")
    try:
        return find_tool("helm")
    except ToolNotFound as exc:
        pytest.skip(str(exc))
