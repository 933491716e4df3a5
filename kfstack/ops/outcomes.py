"""What one idempotent step of `kfstack bootstrap` did."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Outcome(StrEnum):
    """A step created something, changed something, or found it as wanted."""

    CREATED = "created"
    UPDATED = "updated"
    UNCHANGED = "already configured"


@dataclass(frozen=True)
class Step:
    """One setting of the backend (`what`), what was done about it, and the value now in force."""

    what: str
    outcome: Outcome
    detail: str = ""

    @property
    def changed(self) -> bool:
        return self.outcome is not Outcome.UNCHANGED
