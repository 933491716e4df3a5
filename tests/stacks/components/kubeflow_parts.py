"""Helpers for the Kubeflow part tests: plans with the local kubeflow/manifests copy, upstream builds."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from kfstack.plan.binaries import find_tool
from kfstack.plan.build import Plan, plan_config
from kfstack.plan.crd_owners import charts_installing
from stacks.components.kubeflow_manifests import local_build
from stacks.config.environment import EnvironmentConfig

MANIFESTS = Path(__file__).resolve().parents[3].parent / "shared" / "kubeflow" / "26.03"
CRDS = MANIFESTS.parents[1] / "crds"
needs_manifests = pytest.mark.skipif(
    not MANIFESTS.is_dir(), reason=f"no local kubeflow/manifests 26.03 copy at {MANIFESTS}"
)

ObjectKey = tuple[str, str, str, str]
"""(apiVersion, kind, namespace, name)."""

# Built by other components (cert-manager, Istio); until their builders declare these groups, the
# CRD-owner check cannot find an owner. Once a component declares one, its CRs must depend on it.
HELM_INSTALLED_GROUPS = ("cert-manager.io", "networking.istio.io", "security.istio.io")


def upstream(path: str) -> list[dict[str, Any]]:
    """The objects `kubectl kustomize` builds from the local copy of `path`."""
    return local_build(str(MANIFESTS / path), lambda tool: find_tool("kubectl"))


def key_of(obj: dict[str, Any]) -> ObjectKey:
    meta = obj.get("metadata") or {}
    return (obj["apiVersion"], obj["kind"], meta.get("namespace", ""), meta["name"])


def with_local_manifests(edit: Callable[[dict[str, Any]], None] | None = None) -> Callable[[dict], None]:
    def apply(values: dict[str, Any]) -> None:
        values.setdefault("components", {})["manifestsDirectory"] = str(MANIFESTS)
        if edit is not None:
            edit(values)

    return apply


def unresolvable(problem_text: str) -> bool:
    """A CRD-owner problem for a group no component declares yet (see HELM_INSTALLED_GROUPS)."""
    return "CRD owner" in problem_text and any(
        f"({group})" in problem_text and not charts_installing(group) for group in HELM_INSTALLED_GROUPS
    )


def checked_plan(environment: str, config: EnvironmentConfig) -> Plan:
    """The plan with the CRD folder; every problem except the not-yet-resolvable ones fails."""
    result = plan_config(environment, config, CRDS if CRDS.is_dir() else None)
    problems = [p.render() for p in result.problems if not unresolvable(p.render())]
    assert problems == []
    return result


def planned_objects(plan: Plan, component_type: str = "kfstack:kustomize:Install", name: str = "") -> dict:
    """ObjectKey -> (resource, object) for every object inside the KustomizeInstall called `name`."""
    roots = {r.urn for r in plan.find(component_type, name)}
    assert roots, f"no {component_type} {name} in the plan"
    parents = {r.urn: r.parent for r in plan.resources}
    found = {}
    for resource, obj in plan.kubernetes_objects():
        parent = resource.parent
        while parent and parent not in roots:
            parent = parents.get(parent, "")
        if parent:
            found[key_of(obj)] = (resource, obj)
    return found
