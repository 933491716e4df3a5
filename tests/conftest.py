"""Shared fixtures: the Pulumi mock runtime harness, plans per environment, CRD schemas."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from pulumi.runtime import settings as pulumi_settings

from kfstack.plan.build import Plan, build_plan
from kfstack.plan.recorder import ProgramRecord, RecordedResource, find_resources, record_program

pytest_plugins = ["tests.modules.kfp.fixtures"]  # the KFP API test server (`kfp_server`)

REPO_ROOT = Path(__file__).resolve().parents[1]
ENVIRONMENTS = ("local", "dev", "staging", "prod")


class Recording:
    """The registrations (and logged warnings) of one program run, with lookup helpers."""

    def __init__(self, record: ProgramRecord) -> None:
        self.resources: list[RecordedResource] = record.resources
        self.warnings: list[str] = record.warnings

    def find(self, type_: str, name: str | None = None) -> list[RecordedResource]:
        """All resources of `type_` (optionally with logical `name`)."""
        return find_resources(self.resources, type_, name)

    def one(self, type_: str, name: str | None = None) -> RecordedResource:
        """Exactly one resource of `type_`/`name`; fails the test otherwise."""
        found = self.find(type_, name)
        assert len(found) == 1, f"expected one {type_} {name or ''}, found {[r.name for r in found]}"
        return found[0]

    def named(self, name: str) -> RecordedResource:
        """The resource with logical `name` (unique in the recording)."""
        found = [r for r in self.resources if r.name == name]
        assert len(found) == 1, f"expected one resource named {name}, found {len(found)}"
        return found[0]

    def types(self) -> set[str]:
        return {r.type for r in self.resources}

    def children_of(self, parent: RecordedResource) -> list[RecordedResource]:
        """The resources whose parent is `parent`."""
        return [r for r in self.resources if r.parent == parent.urn]


@pytest.fixture
def record() -> Callable[..., Recording]:
    """Run a program (a callable creating resources) under mocks and return its Recording.

    Raises ProgramNeverRan when the program's registrations never happened, so a test whose
    Pulumi callbacks did not run fails instead of passing silently.
    """

    def _record(program: Callable[[], Any], stack: str = "test") -> Recording:
        return Recording(record_program(program, stack=stack))

    return _record


@pytest.fixture(scope="session")
def plan_cache() -> dict[str, Plan]:
    return {}


@pytest.fixture
def plan(plan_cache: dict[str, Plan], crd_dir_or_none: Path | None) -> Callable[[str], Plan]:
    """`plan("prod")`: the checked plan of a shipped environment (cached per session)."""

    def _plan(environment: str) -> Plan:
        if environment not in plan_cache:
            plan_cache[environment] = build_plan(environment, crd_dir_or_none)
        return plan_cache[environment]

    return _plan


def _crd_dir() -> Path | None:
    configured = os.environ.get("KFSTACK_CRD_DIR")
    candidate = Path(configured) if configured else REPO_ROOT.parent / "shared" / "crds"
    return candidate if candidate.is_dir() else None


@pytest.fixture(scope="session")
def crd_dir_or_none() -> Path | None:
    """The CRD schema folder if present (../shared/crds or $KFSTACK_CRD_DIR)."""
    return _crd_dir()


@pytest.fixture(scope="session")
def crd_dir() -> Path:
    """The CRD schema folder; tests needing it are skipped with a reason when it is absent."""
    found = _crd_dir()
    if found is None:
        pytest.skip("CRD schemas not found: set KFSTACK_CRD_DIR or place them at ../shared/crds")
    return found


@pytest.fixture(scope="session")
def kubeflow_rendered() -> Callable[[str], list[dict[str, Any]]]:
    """`kubeflow_rendered("common_kubeflow-roles_base")`: the objects kubeflow/manifests 26.03 builds
    for that kustomization (its `rendered/<name>.yaml`); skipped with a reason when absent."""
    from tests.upstream import rendered_objects

    return lambda name: list(rendered_objects(f"{name}.yaml"))


@pytest.fixture(autouse=True)
def pulumi_runtime_is_reset() -> Iterator[None]:
    """Fail any test that leaves the Pulumi runtime configured (mocks leaking into the next test)."""
    yield
    leaked = pulumi_settings.SETTINGS.monitor is not None
    pulumi_settings.reset_options()
    assert not leaked, "test left Pulumi mocks configured; use the `record` fixture"
