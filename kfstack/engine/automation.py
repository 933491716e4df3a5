"""The real engine: the Pulumi CLI driven through the Automation API (a LocalWorkspace on this repository).

The stack is the environment's name. The CLI reads the stack's config from
`environments/Pulumi.<env>.yaml` (`stackConfigDir` in Pulumi.yaml) and decrypts its secrets; the
program (`stacks/__main__.py`) reads the same file and takes the decrypted secrets from the engine.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from pulumi import automation as auto
from pulumi._version import version as SDK_VERSION
from pulumi.automation._minimum_version import _MINIMUM_VERSION

from kfstack.engine.interface import (
    EngineError,
    EngineMissingError,
    Operation,
    OperationResult,
    OutputSink,
    ResourceStep,
    RunOptions,
)

PROJECT_DIR = Path(__file__).resolve().parents[2]
PINNED_CLI_VERSION = str(SDK_VERSION)
"""The CLI release that matches the installed Pulumi SDK (what `PulumiCommand.install` would fetch)."""
MINIMUM_CLI_VERSION = str(_MINIMUM_VERSION)
"""The oldest CLI the Automation API accepts."""


def install_hint() -> str:
    """How to install the pinned Pulumi CLI."""
    return (
        f"install Pulumi CLI {PINNED_CLI_VERSION} (matches the installed Pulumi SDK): "
        f"curl -fsSL https://get.pulumi.com | sh -s -- --version {PINNED_CLI_VERSION}"
    )


def _pulumi_command() -> auto.PulumiCommand:
    if shutil.which("pulumi") is None:
        raise EngineMissingError(f"no `pulumi` binary on PATH; {install_hint()}")
    try:
        return auto.PulumiCommand()
    except auto.InvalidVersionError as error:
        raise EngineMissingError(f"{error}; {install_hint()}") from None


def _steps_collector(steps: list[ResourceStep]) -> Any:
    """Record each resource's step: the pre-event, replaced by the outcome event when one comes."""
    index: dict[str, int] = {}

    def on_event(event: auto.EngineEvent) -> None:
        source = event.resource_pre_event or event.res_outputs_event
        meta = source.metadata if source is not None else None
        if meta is None:
            return
        step = ResourceStep(str(meta.op.value), meta.urn, meta.type, tuple(meta.diffs or ()))
        if meta.urn in index:
            steps[index[meta.urn]] = step
        else:
            index[meta.urn] = len(steps)
            steps.append(step)

    return on_event


def _counts(summary: Any) -> dict[str, int]:
    return {str(getattr(op, "value", op)): int(n) for op, n in (summary or {}).items()}


class AutomationEngine:
    """`Engine` over `pulumi.automation` with the repository's Pulumi.yaml."""

    def __init__(self, project_dir: Path = PROJECT_DIR) -> None:
        self.project_dir = project_dir
        self.command = _pulumi_command()

    def _options(self) -> auto.LocalWorkspaceOptions:
        return auto.LocalWorkspaceOptions(pulumi_command=self.command)

    def _workspace(self) -> auto.LocalWorkspace:
        return auto.LocalWorkspace(work_dir=str(self.project_dir), pulumi_command=self.command)

    def cli_version(self) -> str:
        """The CLI version the Automation API parsed."""
        return str(self.command.version)

    def whoami(self) -> str:
        """`pulumi whoami`: user and backend URL."""
        try:
            who = self._workspace().who_am_i()
        except auto.CommandError as error:
            raise EngineError(str(error).strip()) from None
        return f"{who.user} @ {who.url}" if who.url else who.user

    def _stack(self, name: str, create: bool) -> auto.Stack:
        select = auto.create_or_select_stack if create else auto.select_stack
        try:
            return select(stack_name=name, work_dir=str(self.project_dir), opts=self._options())
        except auto.StackNotFoundError:
            raise EngineError(
                f"stack '{name}' does not exist in the current backend (`kfstack preview {name}` or "
                f"`kfstack up {name}` creates it)"
            ) from None
        except auto.CommandError as error:
            raise EngineError(str(error).strip()) from None

    def run(
        self, operation: Operation, stack: str, options: RunOptions, on_output: OutputSink
    ) -> OperationResult:
        """Run one operation; CommandError becomes EngineError."""
        target = self._stack(stack, create=operation in ("preview", "up"))
        steps: list[ResourceStep] = []
        on_event = _steps_collector(steps)
        common: dict[str, Any] = {"on_output": on_output, "on_event": on_event, "color": "never"}
        try:
            if operation == "preview":
                preview = target.preview(
                    diff=options.diff, expect_no_changes=options.expect_no_changes, **common
                )
                return OperationResult(_counts(preview.change_summary), steps)
            if operation == "drift":
                drift = target.preview_refresh(
                    expect_no_changes=options.expect_no_changes, show_secrets=False, **common
                )
                return OperationResult(_counts(drift.change_summary), steps)
            if operation == "up":
                result: Any = target.up(
                    diff=options.diff, expect_no_changes=options.expect_no_changes, **common
                )
            elif operation == "refresh":
                result = target.refresh(
                    diff=options.diff, expect_no_changes=options.expect_no_changes, **common
                )
            else:
                result = target.destroy(diff=options.diff, **common)
        except auto.CommandError as error:
            raise EngineError(str(error).strip()) from None
        return OperationResult(_counts(result.summary.resource_changes), steps)
