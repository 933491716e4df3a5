"""The KFP v2beta1 API contract (the 2.16 swagger in ../shared/kfp) as request/response checks.

Checks are stricter than the real server in one way on purpose: object definitions get
`additionalProperties: false`, so a client that sends a field the 2.16 API does not define
(e.g. one only newer kfp-server-api models know) is caught here.
"""

from __future__ import annotations

import copy
import json
import os
import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import jsonschema

REPO_ROOT = Path(__file__).resolve().parents[3]


def swagger_path() -> Path:
    """Where the swagger is: $KFSTACK_KFP_SWAGGER or ../shared/kfp beside the checkout."""
    configured = os.environ.get("KFSTACK_KFP_SWAGGER")
    return (
        Path(configured)
        if configured
        else REPO_ROOT.parent / "shared" / "kfp" / "kfp_api_v2beta1.swagger.json"
    )


@dataclass(frozen=True)
class Operation:
    """One swagger operation: method, path template and its definition."""

    method: str
    template: str
    pattern: re.Pattern[str]
    spec: dict[str, Any]

    @property
    def operation_id(self) -> str:
        return str(self.spec["operationId"])

    def parameters(self, where: str) -> dict[str, dict[str, Any]]:
        return {p["name"]: p for p in self.spec.get("parameters", []) if p["in"] == where}


_FORMATS = jsonschema.FormatChecker()


@_FORMATS.checks("int64", raises=ValueError)
def _int64(value: object) -> bool:
    if isinstance(value, str):
        int(value)
    return True


@_FORMATS.checks("date-time", raises=ValueError)
def _date_time(value: object) -> bool:
    if isinstance(value, str):
        datetime.fromisoformat(value.replace("Z", "+00:00"))
    return True


def _strict(definitions: dict[str, Any]) -> dict[str, Any]:
    strict = copy.deepcopy(definitions)
    for schema in strict.values():
        if schema.get("type") == "object" and "properties" in schema and "additionalProperties" not in schema:
            schema["additionalProperties"] = False
    return strict


class SwaggerContract:
    """Match requests to operations and validate query, body and response against the swagger."""

    def __init__(self, swagger: dict[str, Any]) -> None:
        self.definitions = _strict(swagger["definitions"])
        self.operations: list[Operation] = []
        for template, methods in swagger["paths"].items():
            regex = re.sub(
                r"\{(\w+)\}", r"(?P<\1>[^/:]+)", re.escape(template).replace(r"\{", "{").replace(r"\}", "}")
            )
            for method, spec in methods.items():
                self.operations.append(Operation(method.upper(), template, re.compile(f"^{regex}$"), spec))

    @classmethod
    def load(cls, path: Path | None = None) -> SwaggerContract:
        return cls(json.loads((path or swagger_path()).read_text()))

    def match(self, method: str, path: str) -> tuple[Operation, dict[str, str]] | None:
        """The operation for `method path` and its path parameters, or None."""
        for operation in self.operations:
            if operation.method == method and (found := operation.pattern.match(path)):
                return operation, found.groupdict()
        return None

    def schema_errors(self, schema: dict[str, Any], value: Any, where: str) -> list[str]:
        """Each way `value` breaks `schema` (refs resolve to the swagger definitions)."""
        root = {"definitions": self.definitions, **schema}
        validator = jsonschema.Draft4Validator(root, format_checker=_FORMATS)
        return [
            f"{where}{'.' if e.path else ''}{'.'.join(map(str, e.path))}: {e.message}"
            for e in validator.iter_errors(value)
        ]

    def definition_errors(self, name: str, value: Any, where: str) -> list[str]:
        return self.schema_errors({"$ref": f"#/definitions/{name}"}, value, where)

    def query_errors(self, operation: Operation, query: dict[str, list[str]]) -> list[str]:
        """Unknown query parameters and values of the wrong type."""
        declared = operation.parameters("query")
        errors = []
        for name, values in query.items():
            parameter = declared.get(name)
            if parameter is None:
                errors.append(f"query parameter {name!r} is not defined for {operation.operation_id}")
                continue
            for value in values:
                kind = parameter.get("type")
                if kind == "integer" and not re.fullmatch(r"-?\d+", value):
                    errors.append(f"query parameter {name}={value!r} is not an integer")
                elif kind == "boolean" and value not in ("true", "false"):
                    errors.append(f"query parameter {name}={value!r} is not true/false")
                elif name == "filter":
                    try:
                        decoded = json.loads(value)
                    except ValueError:
                        errors.append(f"filter {value!r} is not JSON")
                        continue
                    errors += self.definition_errors("v2beta1Filter", decoded, "filter")
        return errors

    def body_errors(self, operation: Operation, body: Any) -> list[str]:
        """How a JSON request body breaks the operation's body schema."""
        parameters = [p for p in operation.spec.get("parameters", []) if p["in"] == "body"]
        if not parameters:
            return [] if body is None else [f"{operation.operation_id} takes no body"]
        if body is None:
            return [f"{operation.operation_id} needs a JSON body"]
        return self.schema_errors(parameters[0]["schema"], body, "body")

    def response_errors(self, operation: Operation, status: int, body: Any) -> list[str]:
        """How a response body breaks the declared response schema (200 or the default error)."""
        responses = operation.spec["responses"]
        declared = responses.get(str(status)) or responses.get("default")
        if declared is None or "schema" not in declared:
            return []
        return self.schema_errors(declared["schema"], body, f"response {status}")
