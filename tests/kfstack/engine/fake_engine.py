"""An in-memory `Engine` for tests: scripted results, errors and a missing CLI, with a call log."""

from __future__ import annotations

from dataclasses import dataclass, field

from kfstack.engine.interface import (
    EngineError,
    Operation,
    OperationResult,
    OutputSink,
    RunOptions,
)


@dataclass
class FakeEngine:
    """Returns `results[operation]` (default: nothing changes) and records every call."""

    results: dict[str, OperationResult] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    """operation (or `whoami`) -> the EngineError message it raises."""
    output: list[str] = field(default_factory=list)
    """Lines streamed to `on_output` on every run."""
    version: str = "3.272.0"
    user: str = "ci-bot @ s3://kfstack-state"
    calls: list[tuple[str, str, RunOptions]] = field(default_factory=list)

    def cli_version(self) -> str:
        return self.version

    def whoami(self) -> str:
        if "whoami" in self.errors:
            raise EngineError(self.errors["whoami"])
        return self.user

    def run(
        self, operation: Operation, stack: str, options: RunOptions, on_output: OutputSink
    ) -> OperationResult:
        self.calls.append((operation, stack, options))
        for line in self.output:
            on_output(line)
        if operation in self.errors:
            raise EngineError(self.errors[operation])
        return self.results.get(operation, OperationResult({"same": 3}))

