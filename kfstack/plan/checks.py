"""Plan checks: duplicate URNs, Kubernetes objects against the official schema of the target
version, custom resources against CRD schemas, and CRD-before-CR dependencies."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from kubernetes_validate.utils import SchemaNotFoundError

from kfstack.plan.crd_owners import owners_of
from kfstack.plan.crd_schemas import crd_validation, folder_crd_schema
from kfstack.plan.kubernetes_objects import (
    api_group_version_kind,
    is_kubernetes_object,
    kubernetes_object,
    object_label,
)
from kfstack.plan.kubernetes_schema import schema_errors
from kfstack.plan.problems import PlanProblem, json_path
from kfstack.plan.recorder import REDACTED, UNKNOWN_VALUE, RecordedResource


def duplicate_urns(resources: list[RecordedResource]) -> list[PlanProblem]:
    """The real engine rejects two registrations with one URN; mocks do not, so check here."""
    counts = Counter(r.urn for r in resources)
    return [
        PlanProblem(urn, "duplicate URN", f"registered {n} times")
        for urn, n in sorted(counts.items())
        if n > 1
    ]


def _object_problems(resource: RecordedResource, k8s_version: str, crd_dir: Path | None) -> list[PlanProblem]:
    obj = kubernetes_object(resource)
    label = f"{resource.name} ({object_label(obj)})"
    try:
        return [
            PlanProblem(label, f"Kubernetes {k8s_version} schema", err.message, json_path(err.absolute_path))
            for err in schema_errors(obj, k8s_version)
            if not is_placeholder(err.instance)
        ]
    except SchemaNotFoundError:
        pass  # not a built-in kind: a custom resource
    group, version, kind = api_group_version_kind(resource)
    if crd_dir is None:
        return []
    schema = folder_crd_schema(crd_dir, group, kind, version)
    if schema is None:
        return [PlanProblem(label, "CRD schema", f"no schema for {group}/{version} {kind} in {crd_dir}")]
    # Go regexes Python rejects (prometheus-operator's `^(?i)...`) are left unchecked, not raised
    return [
        PlanProblem(label, f"CRD {group}/{version} {kind}", err.message, json_path(err.absolute_path))
        for err in crd_validation(obj, schema).errors
        if not is_placeholder(err.instance)
    ]


def is_placeholder(value: object) -> bool:
    """A value only the engine knows (a secret, e.g. a Secret's whole `stringData`, or an unknown output)."""
    return value in (REDACTED, UNKNOWN_VALUE)


def _transitive_dependencies(resources: list[RecordedResource]) -> dict[str, set[str]]:
    by_urn = {r.urn: r for r in resources}
    children: dict[str, list[str]] = {}
    for r in resources:
        children.setdefault(r.parent, []).append(r.urn)
    closure: dict[str, set[str]] = {}

    def deps(urn: str, seen: set[str]) -> set[str]:
        if urn in closure:
            return closure[urn]
        result: set[str] = set()
        resource = by_urn.get(urn)
        if resource is None or urn in seen:
            return result
        seen.add(urn)
        for dep in resource.dependencies:
            # depending on a component means depending on everything inside it
            result |= {dep, *children.get(dep, [])}
            result |= deps(dep, seen)
        if resource.parent in by_urn:
            result |= deps(resource.parent, seen)
        closure[urn] = result
        return result

    for r in resources:
        deps(r.urn, set())
    return closure


def crd_dependencies(resources: list[RecordedResource]) -> list[PlanProblem]:
    """Every custom resource must depend on a resource in the plan that installs its CRD."""
    problems: list[PlanProblem] = []
    closure = _transitive_dependencies(resources)
    for r in resources:
        if not is_kubernetes_object(r) or not _is_custom_kind(r):
            continue
        group = api_group_version_kind(r)[0]
        owners = owners_of(group, resources)
        if not owners:
            problems.append(
                PlanProblem(r.name, "CRD owner", f"nothing in the plan installs CRDs of group {group}")
            )
        elif not owners & closure.get(r.urn, set()):
            problems.append(
                PlanProblem(
                    r.name,
                    "CRD owner",
                    f"does not depend on {', '.join(sorted(owners))} which installs {group}",
                )
            )
    return problems


_BUILTIN_GROUPS = {
    "",
    "apps",
    "batch",
    "policy",
    "autoscaling",
    "networking.k8s.io",
    "rbac.authorization.k8s.io",
    "storage.k8s.io",
    "scheduling.k8s.io",
    "admissionregistration.k8s.io",
    "apiextensions.k8s.io",
    "coordination.k8s.io",
    "discovery.k8s.io",
    "node.k8s.io",
    "certificates.k8s.io",
    "flowcontrol.apiserver.k8s.io",
    "resource.k8s.io",
    "apiregistration.k8s.io",
}


def _is_custom_kind(resource: RecordedResource) -> bool:
    return api_group_version_kind(resource)[0] not in _BUILTIN_GROUPS


def check_plan(
    resources: list[RecordedResource], k8s_version: str, crd_dir: Path | None
) -> list[PlanProblem]:
    """Every problem the plan has; empty when it is valid."""
    problems = duplicate_urns(resources)
    for r in resources:
        if is_kubernetes_object(r):
            problems.extend(_object_problems(r, k8s_version, crd_dir))
    problems.extend(crd_dependencies(resources))
    return problems
