"""Official Kubernetes JSON schemas (shipped by `kubernetes-validate`), with cached validators.

`kubernetes_validate.validate` re-reads and re-parses the schema files on every call (about 40 ms
per object); a plan validates dozens of objects, so validators are built once per kind here.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

import jsonschema
from kubernetes_validate.utils import SchemaNotFoundError, all_versions, major_minor, schema_contents
from referencing import Registry, Resource


@cache
def _schema_dir(kubernetes_version: str) -> str:
    wanted = major_minor(kubernetes_version.removeprefix("v"))
    newest = [v for v in all_versions() if _minor_key(major_minor(v)) <= _minor_key(wanted)]
    if not newest:
        raise ValueError(f"no Kubernetes schemas for {kubernetes_version}")
    return f"v{newest[-1]}-local-strict"


def _minor_key(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in version.split("."))


@cache
def _definitions(schema_dir: str) -> Resource[Any]:
    return Resource.from_contents(
        schema_contents(f"kubernetes-json-schema/{schema_dir}/_definitions.json", schema_dir)
    )


@cache
def object_validator(kubernetes_version: str, api_version: str, kind: str) -> jsonschema.Draft202012Validator:
    """A strict validator for `kind` in `api_version` (raises SchemaNotFoundError for custom kinds)."""
    schema_dir = _schema_dir(kubernetes_version)
    # rbac.authorization.k8s.io/v1 -> rbac-v1, as kubernetes-validate names its files
    file_api = re.sub(r"^([^./]*)(?:\.[^/]*)?/", r"\1-", api_version)
    try:
        schema = schema_contents(
            f"kubernetes-json-schema/{schema_dir}/{kind.lower()}-{file_api}.json", schema_dir
        )
    except FileNotFoundError:
        raise SchemaNotFoundError(kind=kind, version=kubernetes_version, api_version=api_version) from None
    resource: Resource[Any] = Resource.from_contents(schema)
    registry: Registry[Any] = _definitions(schema_dir) @ (resource @ Registry())
    return jsonschema.Draft202012Validator(schema, registry=registry)


def schema_errors(obj: dict[str, Any], kubernetes_version: str) -> list[jsonschema.ValidationError]:
    """Every strict-schema violation of a built-in Kubernetes object, in path order."""
    validator = object_validator(kubernetes_version, obj["apiVersion"], obj["kind"])
    return sorted(validator.iter_errors(obj), key=lambda e: [str(p) for p in e.absolute_path])
