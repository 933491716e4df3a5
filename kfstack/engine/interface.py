"""The small interface the engine commands use: one call per Pulumi operation, plain results.

The real implementation drives the Pulumi CLI through the Automation API
(`kfstack.engine.automation`); the tests use a fake (tests/kfstack/engine/fake_engine.py).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal, Protocol

Operation = Literal["preview", "up", "destroy", "refresh", "drift"]
"""`drift` is a refresh in preview mode: what changed outside Pulumi, nothing written."""

OutputSink = Callable[[str], None]

UNCHANGED_OPS = frozenset({"same", "read", "refresh"})
"""Step operations that change nothing by themselves (`read` is a data-source read; a `refresh` step
that found drift is counted as `update` or `delete` in the engine's summary)."""


class EngineMissingError(Exception):
    """No usable `pulumi` binary: the message says how to install the pinned version."""


class EngineError(Exception):
    """The operation ran and failed (the engine's own message, secrets already masked by it)."""


@dataclass(frozen=True)
class ResourceStep:
    """One resource the operation touched: the step (`create`, `update`, `delete`, `replace`, ...)."""

    op: str
    urn: str
    type: str
    changed_inputs: tuple[str, ...] = ()


@dataclass
class OperationResult:
    """What an operation did, or (preview, drift) would do."""

    changes: dict[str, int]
    """Count per step operation, as the engine's summary gives it (`same`, `create`, `update`, ...)."""
    steps: list[ResourceStep] = field(default_factory=list)
    """Every resource step the engine reported, in order."""

    def changed(self) -> list[ResourceStep]:
        """The steps that change something."""
        return [s for s in self.steps if s.op not in UNCHANGED_OPS]

    def change_count(self) -> int:
        """How many resource operations change something (from the summary)."""
        return sum(n for op, n in self.changes.items() if op not in UNCHANGED_OPS)


@dataclass(frozen=True)
class RunOptions:
    """Flags passed through to the engine."""

    diff: bool = False
    """Show a rich diff of each change in the streamed output."""
    expect_no_changes: bool = False
    """Make the engine itself fail the operation when anything would change."""


class Engine(Protocol):
    """What the commands need from Pulumi."""

    def cli_version(self) -> str:
        """The installed Pulumi CLI version (e.g. `3.272.0`)."""
        ...

    def whoami(self) -> str:
        """The logged-in user and backend URL (`user @ url`); raises EngineError when not logged in."""
        ...

    def run(
        self, operation: Operation, stack: str, options: RunOptions, on_output: OutputSink
    ) -> OperationResult:
        """Run `operation` on `stack`, streaming the engine's display lines to `on_output`."""
        ...
