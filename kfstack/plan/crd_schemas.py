"""Custom resources against CRD schemas: a kind's schema from CustomResourceDefinition objects (such as the
CRDs a chart renders next to its custom resources) or from the CRD schema folder, and a validator that
leaves Go regular expressions Python's `re` rejects unchecked instead of failing on them.

prometheus-operator's schemas carry `^(?i)(abort|warn)?$`: valid Go (RE2), but Python only accepts global
flags at the very start of a pattern, so plain `jsonschema` raises `re.error` mid-validation.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator, Mapping
from contextvars import ContextVar
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
from jsonschema.validators import extend

CrdKey = tuple[str, str, str]
"""(group, version, kind) of a custom resource, e.g. ('karpenter.sh', 'v1', 'NodePool')."""

CRD_API_VERSION = "apiextensions.k8s.io/v1"


@cache
def folder_crd_schema(crd_dir: Path, group: str, kind: str, version: str) -> dict[str, Any] | None:
    """The openAPIV3Schema in the CRD schema folder (`<group>/<Kind>_<version>.json`), if present."""
    path = crd_dir / group / f"{kind}_{version}.json"
    if not path.is_file():
        return None
    schema: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))["openAPIV3Schema"]
    return schema


def crd_object_schemas(objects: Iterable[Mapping[str, Any]]) -> dict[CrdKey, dict[str, Any]]:
    """The openAPIV3Schema of every served version of every CustomResourceDefinition among `objects`."""
    schemas: dict[CrdKey, dict[str, Any]] = {}
    for obj in objects:
        if obj.get("apiVersion") != CRD_API_VERSION or obj.get("kind") != "CustomResourceDefinition":
            continue
        spec = obj.get("spec") or {}
        group, kind = spec.get("group"), (spec.get("names") or {}).get("kind")
        for version in spec.get("versions") or ():
            schema = (version.get("schema") or {}).get("openAPIV3Schema")
            if group and kind and schema is not None and version.get("served", True):
                schemas[(group, version["name"], kind)] = schema
    return schemas


@dataclass(frozen=True)
class CrdSchema:
    """One kind's schema and where it came from (for messages)."""

    schema: dict[str, Any]
    source: str


@dataclass(frozen=True)
class CrdSchemas:
    """Schemas for custom resources: CRDs given as objects first (they are what gets installed with the
    resources at hand), then the CRD schema folder (`<group>/<Kind>_<version>.json`) if there is one."""

    crd_dir: Path | None
    objects: Mapping[CrdKey, dict[str, Any]] = field(default_factory=dict)

    def find(self, group: str, version: str, kind: str) -> CrdSchema | None:
        """The schema of `group/version` `kind`, or None when neither source has it."""
        if (group, version, kind) in self.objects:
            return CrdSchema(self.objects[(group, version, kind)], f"the CRD for {group}/{version} {kind}")
        if self.crd_dir is not None:
            schema = folder_crd_schema(self.crd_dir, group, kind, version)
            if schema is not None:
                return CrdSchema(schema, str(self.crd_dir / group / f"{kind}_{version}.json"))
        return None

    def describe(self) -> str:
        """Where schemas are looked up, for a "no schema" message."""
        sources = [f"{len(self.objects)} CRD version(s) given as objects"]
        sources.append(f"CRD folder {self.crd_dir}" if self.crd_dir is not None else "no CRD folder")
        return ", ".join(sources)


_unchecked: ContextVar[list[str] | None] = ContextVar("_unchecked", default=None)


def _pattern(
    validator: Any, pattern: str, instance: Any, schema: Mapping[str, Any]
) -> Iterator[jsonschema.ValidationError]:
    """`pattern` as jsonschema checks it, except that a pattern `re` rejects is noted, not raised.

    Noting it out of band (instead of yielding an error) keeps anyOf/oneOf branches with such a
    pattern passing, as they would on the API server.
    """
    if not validator.is_type(instance, "string"):
        return
    try:
        matched = re.search(pattern, instance)
    except re.error as exc:
        unchecked = _unchecked.get()
        if unchecked is not None:
            unchecked.append(f"{pattern!r} ({exc}) left unchecked against {instance!r}")
        return
    if matched is None:
        yield jsonschema.ValidationError(f"{instance!r} does not match {pattern!r}")


_GoRegexTolerantValidator = extend(jsonschema.Draft202012Validator, {"pattern": _pattern})


@dataclass(frozen=True)
class CrdValidation:
    """The schema violations of one object, and the patterns that could not be checked."""

    errors: list[jsonschema.ValidationError]
    unchecked_patterns: list[str]


def crd_validation(obj: Mapping[str, Any], schema: Mapping[str, Any]) -> CrdValidation:
    """Validate a custom resource against its openAPIV3Schema (errors in path order).

    The schema itself is not checked first (`jsonschema.validate` would reject Go regexes there).
    """
    unchecked: list[str] = []
    token = _unchecked.set(unchecked)
    try:
        errors = sorted(
            _GoRegexTolerantValidator(schema).iter_errors(obj),
            key=lambda e: [str(p) for p in e.absolute_path],
        )
    finally:
        _unchecked.reset(token)
    return CrdValidation(errors, list(dict.fromkeys(unchecked)))
