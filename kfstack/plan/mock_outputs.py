"""Per-type outputs the mock runtime returns, so programs that read outputs (ARNs, endpoints,
names) see realistic values. Anything not listed here echoes its inputs."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

ResourceTemplate = Callable[[str, dict[str, Any]], dict[str, Any]]

_ACCOUNT = "123456789012"


def _arn(service: str, resource: str, region: str = "us-west-2") -> str:
    return f"arn:aws:{service}:{region}:{_ACCOUNT}:{resource}"


RESOURCE_TEMPLATES: dict[str, ResourceTemplate] = {
    "kubernetes:core/v1:Namespace": lambda name, inputs: {
        "metadata": {**inputs.get("metadata", {}), "name": inputs.get("metadata", {}).get("name", name)}
    },
}

CALL_TEMPLATES: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {}


def mock_resource_outputs(type_: str, name: str, inputs: dict[str, Any]) -> dict[str, Any]:
    """Extra outputs for a mocked resource of `type_` (empty when no template applies)."""
    template = RESOURCE_TEMPLATES.get(type_)
    return template(name, inputs) if template else {}


def mock_call_outputs(token: str, args: dict[str, Any]) -> dict[str, Any]:
    """Result of a mocked invoke (data source) `token`."""
    template = CALL_TEMPLATES.get(token)
    return template(args) if template else {}
