"""Plan checks: duplicate URNs, Kubernetes objects against the official schema of the target
version, custom resources against CRD schemas (the CRDs the plan itself installs first, then the CRD
schema folder), and CRD-before-CR dependencies."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

from kubernetes_validate.utils import SchemaNotFoundError

from kfstack.plan.crd_owners import owners_of, remote_installs_of
from kfstack.plan.crd_schemas import CrdSchemas, crd_object_schemas, crd_validation
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


def _checkable(obj: dict[str, Any]) -> dict[str, Any]:
    """`obj` without top-level fields the plan redacted (a Secret's `data`/`stringData` are always
    secret): their content is not known here, so it is not checked."""
    return {key: value for key, value in obj.items() if value != REDACTED}


def _object_problems(resource: RecordedResource, k8s_version: str, schemas: CrdSchemas) -> list[PlanProblem]:
    obj = _checkable(kubernetes_object(resource))
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
    if schemas.crd_dir is None:
        return []
    found = schemas.find(group, version, kind)
    if found is None:
        where = schemas.describe()
        return [PlanProblem(label, "CRD schema", f"no schema for {group}/{version} {kind} in {where}")]
    # Go regexes Python rejects (prometheus-operator's `^(?i)...`) are left unchecked, not raised
    return [
        PlanProblem(label, f"CRD {group}/{version} {kind}", err.message, json_path(err.absolute_path))
        for err in crd_validation(obj, found.schema).errors
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
        group, _, kind = api_group_version_kind(r)
        owners = owners_of(group, resources, kind)
        if not owners and remote_installs_of(group, resources):
            continue  # installed from a remote kustomization: not visible offline (the plan warns)
        if not owners:
            problems.append(
                PlanProblem(r.name, "CRD owner", f"nothing in the plan installs the CRD of {kind} ({group})")
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
    objects = [r for r in resources if is_kubernetes_object(r)]
    # the CRDs the plan installs are what its custom resources meet; the folder covers chart-installed ones
    schemas = CrdSchemas(crd_dir, crd_object_schemas(kubernetes_object(r) for r in objects))
    for r in objects:
        problems.extend(_object_problems(r, k8s_version, schemas))
    problems.extend(crd_dependencies(resources))
    return problems
