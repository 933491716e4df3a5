"""Which recorded resources are Kubernetes objects, and their object form."""

from __future__ import annotations

from typing import Any

from kfstack.plan.recorder import RecordedResource

# Kubernetes provider types that are not a single object (releases, bundles, the provider itself).
_NOT_OBJECTS = {
    "kubernetes:helm.sh/v3:Release",
    "kubernetes:helm.sh/v4:Chart",
    "kubernetes:yaml/v2:ConfigGroup",
    "kubernetes:yaml/v2:ConfigFile",
    "kubernetes:kustomize/v2:Directory",
}


def is_kubernetes_object(resource: RecordedResource) -> bool:
    """True for resources the Kubernetes provider creates as one API object."""
    return (
        resource.custom
        and resource.type.startswith("kubernetes:")
        and resource.type not in _NOT_OBJECTS
        and not resource.type.endswith("List")
        and not resource.type.endswith("Patch")
    )


def api_group_version_kind(resource: RecordedResource) -> tuple[str, str, str]:
    """`kubernetes:apps/v1:Deployment` -> ('apps', 'v1', 'Deployment'); core is ''."""
    _, group_version, kind = resource.type.split(":", 2)
    group, _, version = group_version.rpartition("/")
    return ("" if group == "core" else group), version, kind


def kubernetes_object(resource: RecordedResource) -> dict[str, Any]:
    """The object as it would be applied: apiVersion, kind, metadata, then the rest."""
    group, version, kind = api_group_version_kind(resource)
    body = dict(resource.inputs)
    api_version = body.pop("apiVersion", f"{group}/{version}" if group else version)
    body.pop("kind", None)
    return {"apiVersion": api_version, "kind": kind, **body}


def object_label(obj: dict[str, Any]) -> str:
    """`Namespace/kubeflow` or `Deployment/ns/name`."""
    meta = obj.get("metadata") or {}
    where = f"{meta['namespace']}/" if meta.get("namespace") else ""
    return f"{obj.get('kind')}/{where}{meta.get('name', '?')}"
