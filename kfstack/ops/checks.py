"""One row of `kfstack preflight`: what was checked, its verdict and the figures behind it."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class Status(StrEnum):
    PASS = "pass"
    WARN = "warn"
    FAIL = "fail"


@dataclass(frozen=True)
class Check:
    """`category` (region, zone, offering, quota, cost), `subject` (what it is about), the verdict,
    a sentence for people and the figures for machines (`--json`)."""

    category: str
    subject: str
    status: Status
    detail: str
    figures: dict[str, Any] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        return {
            "category": self.category,
            "subject": self.subject,
            "status": self.status.value,
            "detail": self.detail,
            "figures": self.figures,
        }


def worst(checks: list[Check]) -> Status:
    """fail if any check failed, else warn if any warned, else pass."""
    statuses = {check.status for check in checks}
    for status in (Status.FAIL, Status.WARN):
        if status in statuses:
            return status
    return Status.PASS
