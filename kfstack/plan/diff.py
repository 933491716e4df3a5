"""Compare two plan files: which resources are added, deleted, updated or replaced, and how."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

ChangeKind = Literal["add", "delete", "update", "replace"]

# Every Kubernetes object is another object under another name or namespace; the rules of
# each other resource type come from the component that creates it (its SPEC's `replace_on`).
_KUBERNETES_IDENTITY = ("metadata.name", "metadata.namespace")


@dataclass(frozen=True)
class FieldChange:
    """One input path whose value changed."""

    path: str
    old: Any
    new: Any


@dataclass
class ResourceChange:
    """What happens to one resource between the two plans."""

    kind: ChangeKind
    urn: str
    type: str
    name: str
    fields: list[FieldChange] = field(default_factory=list)


def flatten(value: Any, prefix: str = "") -> dict[str, Any]:
    """Nested inputs -> {'spec.replicas': 2, 'spec.ports[0].port': 80}; empty containers kept."""
    if isinstance(value, dict) and value:
        out: dict[str, Any] = {}
        for key in sorted(value):
            out.update(flatten(value[key], f"{prefix}.{key}" if prefix else str(key)))
        return out
    if isinstance(value, list) and value:
        out = {}
        for i, item in enumerate(value):
            out.update(flatten(item, f"{prefix}[{i}]"))
        return out
    return {prefix: value}


_MISSING = object()


def _field_changes(old: dict[str, Any], new: dict[str, Any]) -> list[FieldChange]:
    before, after = flatten(old), flatten(new)
    changes = []
    for path in sorted(set(before) | set(after)):
        a, b = before.get(path, _MISSING), after.get(path, _MISSING)
        if a != b:
            changes.append(FieldChange(path, None if a is _MISSING else a, None if b is _MISSING else b))
    return changes


def _forces_replacement(type_: str, changes: list[FieldChange]) -> bool:
    from stacks.components import replacement_paths

    prefixes = [*replacement_paths().get(type_, ())]
    if type_.startswith("kubernetes:"):
        prefixes += _KUBERNETES_IDENTITY
    return any(c.path == p or c.path.startswith((p + ".", p + "[")) for c in changes for p in prefixes)


def _comparable(resource: dict[str, Any]) -> dict[str, Any]:
    """What counts as a change: inputs plus the options that change behaviour."""
    return {
        "inputs": resource.get("inputs", {}),
        "options": {
            k: resource.get(k) for k in ("protect", "retainOnDelete", "provider", "parent", "dependencies")
        },
    }


def diff_plans(old: dict[str, Any], new: dict[str, Any]) -> list[ResourceChange]:
    """Changes from `old` to `new` (plan JSON documents), in URN order."""
    before = {r["urn"]: r for r in old["resources"]}
    after = {r["urn"]: r for r in new["resources"]}
    changes: list[ResourceChange] = []
    for urn in sorted(set(before) | set(after)):
        a, b = before.get(urn), after.get(urn)
        if a is None:
            assert b is not None
            changes.append(
                ResourceChange("add", urn, b["type"], b["name"], _field_changes({}, b.get("inputs", {})))
            )
        elif b is None:
            changes.append(ResourceChange("delete", urn, a["type"], a["name"]))
        else:
            fields = _field_changes(_comparable(a), _comparable(b))
            if fields:
                kind: ChangeKind = "replace" if _forces_replacement(b["type"], _strip(fields)) else "update"
                changes.append(ResourceChange(kind, urn, b["type"], b["name"], fields))
    return changes


def _strip(fields: list[FieldChange]) -> list[FieldChange]:
    return [
        FieldChange(f.path.removeprefix("inputs."), f.old, f.new)
        for f in fields
        if f.path.startswith("inputs.")
    ]


def load_plan_file(path: Path) -> dict[str, Any]:
    """Read a plan JSON file written by `kfstack plan --json`; ValueError says what is wrong."""
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ValueError(f"{path}: file not found") from None
    except IsADirectoryError:
        raise ValueError(f"{path}: is a directory, not a plan file") from None
    except UnicodeDecodeError as exc:
        raise ValueError(
            f"{path}: not UTF-8 text (byte {exc.start}); expected a `kfstack plan --json` file"
        ) from None
    except OSError as exc:
        raise ValueError(f"{path}: cannot read: {exc.strerror}") from None
    except json.JSONDecodeError as exc:
        raise ValueError(f"{path}:{exc.lineno}: not valid JSON: {exc.msg}") from None
    if not isinstance(document, dict) or not isinstance(document.get("resources"), list):
        raise ValueError(f"{path}: not a kfstack plan (expected an object with a 'resources' list)")
    for index, resource in enumerate(document["resources"]):
        where = f"{path}: resources[{index}]"
        if not isinstance(resource, dict):
            raise ValueError(f"{where}: expected an object, got {type(resource).__name__}")
        for key in ("urn", "type", "name"):
            if not isinstance(resource.get(key), str):
                raise ValueError(f"{where}.{key}: expected a string (is this a `kfstack plan --json` file?)")
        if not isinstance(resource.get("inputs", {}), dict):
            raise ValueError(f"{where}.inputs: expected an object")
    return document
