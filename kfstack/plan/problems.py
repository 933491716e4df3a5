"""What a failed plan check reports: the resource, the check, the message and the schema path."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class PlanProblem:
    """A check that failed for one resource."""

    resource: str
    check: str
    message: str
    schema_path: str = ""

    def render(self) -> str:
        """`resource: check at path: message`."""
        where = f" at {self.schema_path}" if self.schema_path else ""
        return f"{self.resource}: {self.check}{where}: {self.message}"


def json_path(parts: Iterable[Any]) -> str:
    """A jsonschema error path as `spec.template.containers[0].image` (`(object)` for the root)."""
    out = ""
    for p in parts:
        out += f"[{p}]" if isinstance(p, int) else (f".{p}" if out else str(p))
    return out or "(object)"
