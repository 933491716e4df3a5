"""`kfstack preview|up|destroy|refresh ENV` and `kfstack drift ENV`: Pulumi operations on one environment.

Each command validates the environment file first (exit 2 on bad input), then runs the operation
through the engine interface, streaming the engine's display. Exit 1 when the engine fails, the
CLI is missing, `--expect-no-changes` is violated or drift is found.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

import click

from kfstack.commands.common import (
    EXIT_BAD_INPUT,
    EXIT_FAILED,
    EXIT_OK,
    console,
    err_console,
    report_config_error,
)
from kfstack.engine.interface import (
    Engine,
    EngineError,
    EngineMissingError,
    Operation,
    OperationResult,
    ResourceStep,
    RunOptions,
)
from stacks.config.errors import ConfigError

EngineFactory = Callable[[], Engine]


def _default_engine() -> Engine:
    from kfstack.engine.automation import AutomationEngine

    return AutomationEngine()


def stdin_is_interactive() -> bool:
    """Whether a confirmation prompt can be answered (stdin is a terminal)."""
    return sys.stdin.isatty()


def engine_factory(ctx: click.Context) -> EngineFactory:
    """`ctx.obj["engine_factory"]` when given (tests), else the Automation API engine."""
    obj = ctx.find_root().obj
    if isinstance(obj, dict) and "engine_factory" in obj:
        factory: EngineFactory = obj["engine_factory"]
        return factory
    return _default_engine


def open_engine(ctx: click.Context) -> Engine:
    """The engine; exit 1 with the install line when there is no usable `pulumi` CLI."""
    try:
        return engine_factory(ctx)()
    except EngineMissingError as error:
        err_console.print(f"[red]error:[/] {error}", highlight=False)
        sys.exit(EXIT_FAILED)


def check_environment(environment: str) -> None:
    """Validate the environment file; exit 2 with every problem when it is unknown or invalid."""
    from stacks.config.loader import load_environment

    try:
        load_environment(environment)
    except ConfigError as error:
        sys.exit(report_config_error(error))


def _echo(line: str) -> None:
    click.echo(line.rstrip("\n"))


_VERBS = {
    "create": "to create",
    "update": "to update",
    "replace": "to replace",
    "delete": "to delete",
    "same": "unchanged",
}


def summary_line(result: OperationResult) -> str:
    """`2 to create, 1 to update, 40 unchanged` from the engine's counts."""
    order = list(_VERBS)
    ranked = sorted(
        result.changes.items(), key=lambda item: (order.index(item[0]) if item[0] in order else 4, item[0])
    )
    parts = [f"{n} {_VERBS.get(op, op)}" for op, n in ranked if n]
    return ", ".join(parts) or "no resources"


def _run(engine: Engine, operation: Operation, environment: str, options: RunOptions) -> OperationResult:
    try:
        return engine.run(operation, environment, options, _echo)
    except EngineError as error:
        err_console.print(f"[red]error:[/] {operation} {environment} failed: {error}", highlight=False)
        sys.exit(EXIT_FAILED)


def _no_changes_violated(operation: str, environment: str, result: OperationResult) -> None:
    err_console.print(
        f"[red]error:[/] {operation} {environment}: --expect-no-changes, but "
        f"{result.change_count()} change(s): {summary_line(result)}",
        highlight=False,
    )
    sys.exit(EXIT_FAILED)


def _confirm(operation: str, environment: str, question: str) -> None:
    if not click.confirm(question, default=False):
        console.print(f"{operation} {environment}: cancelled")
        sys.exit(EXIT_FAILED)


def operate(
    ctx: click.Context,
    operation: Operation,
    environment: str,
    diff: bool,
    yes: bool,
    expect_no_changes: bool,
) -> None:
    """Validate, preview when a confirmation needs one, confirm, run, summarise; exits."""
    check_environment(environment)
    engine = open_engine(ctx)
    options = RunOptions(diff=diff, expect_no_changes=expect_no_changes)
    mutating = operation in ("up", "destroy", "refresh")
    if mutating and not yes and not stdin_is_interactive():
        err_console.print(
            f"[red]error:[/] refusing to {operation} {environment} without --yes: stdin is not a terminal",
            highlight=False,
        )
        sys.exit(EXIT_BAD_INPUT)
    if operation == "up" and (expect_no_changes or not yes):
        # Look before applying: the change count decides --expect-no-changes and the prompt.
        preview = _run(engine, "preview", environment, options)
        console.print(f"preview {environment}: {summary_line(preview)}")
        if expect_no_changes and preview.change_count():
            _no_changes_violated("up", environment, preview)
        if not preview.change_count():
            console.print(f"[green]✓[/] up {environment}: nothing to change")
            sys.exit(EXIT_OK)
    if mutating and not yes:
        question = {
            "up": f"Apply these changes to {environment}?",
            "destroy": f"Destroy every resource of stack {environment}?",
            "refresh": f"Refresh {environment}'s state from the cloud and cluster (writes the state)?",
        }[operation]
        _confirm(operation, environment, question)
    result = _run(engine, operation, environment, options)
    if expect_no_changes and result.change_count():
        _no_changes_violated(operation, environment, result)
    console.print(f"[green]✓[/] {operation} {environment}: {summary_line(result)}")
    sys.exit(EXIT_OK)


def _diff_option(f: Any) -> Any:
    return click.option("--diff", is_flag=True, help="Show each change as a rich diff of its inputs.")(f)


def _yes_option(f: Any) -> Any:
    return click.option("--yes", "-y", is_flag=True, help="Do not prompt (non-interactive use, CI).")(f)


def _expect_no_changes_option(f: Any) -> Any:
    return click.option(
        "--expect-no-changes",
        is_flag=True,
        help="Exit 1 when anything would change (`up` then applies nothing).",
    )(f)


@click.command("preview")
@click.argument("environment")
@_diff_option
@_expect_no_changes_option
@click.pass_context
def preview_command(ctx: click.Context, environment: str, diff: bool, expect_no_changes: bool) -> None:
    """Show what `up` would change in ENVIRONMENT (Pulumi engine; stack = ENVIRONMENT).

    Exit 1 on an engine error or, with --expect-no-changes, when anything would change; 2 on bad config.
    """
    operate(ctx, "preview", environment, diff, True, expect_no_changes)


@click.command("up")
@click.argument("environment")
@_diff_option
@_yes_option
@_expect_no_changes_option
@click.pass_context
def up_command(ctx: click.Context, environment: str, diff: bool, yes: bool, expect_no_changes: bool) -> None:
    """Preview, confirm (or --yes), then create or update ENVIRONMENT's resources.

    Exit 1 on an engine error, a declined prompt or a violated --expect-no-changes; 2 on bad config
    or when a prompt is needed but stdin is not a terminal.
    """
    operate(ctx, "up", environment, diff, yes, expect_no_changes)


@click.command("destroy")
@click.argument("environment")
@_diff_option
@_yes_option
@click.pass_context
def destroy_command(ctx: click.Context, environment: str, diff: bool, yes: bool) -> None:
    """Delete every resource of ENVIRONMENT's stack after confirmation (or --yes).

    Protected resources (prod's stateful ones) make the engine fail until they are unprotected.
    Exit 1 on an engine error or a declined prompt; 2 on bad config or a prompt without a terminal.
    """
    operate(ctx, "destroy", environment, diff, yes, False)


@click.command("refresh")
@click.argument("environment")
@_diff_option
@_yes_option
@_expect_no_changes_option
@click.pass_context
def refresh_command(
    ctx: click.Context, environment: str, diff: bool, yes: bool, expect_no_changes: bool
) -> None:
    """Read every resource's live state into ENVIRONMENT's stack state after confirmation (or --yes).

    To only look, use `kfstack drift`. Exit codes as for `up`.
    """
    operate(ctx, "refresh", environment, diff, yes, expect_no_changes)


def _kind(step: ResourceStep) -> str:
    if step.type.startswith("pulumi-python:dynamic/kfp:"):
        return "Kubeflow Pipelines"
    if step.type.startswith("kubernetes:"):
        return "Kubernetes"
    return step.type.split(":", 1)[0]


def render_drift(environment: str, result: OperationResult) -> None:
    """Per kind (Kubernetes, Kubeflow Pipelines, aws, ...) each drifted resource and what drifted."""
    err_console.print(
        f"[bold red]drift in {environment}:[/] {result.change_count()} resource(s) differ from the state "
        f"({summary_line(result)})",
        highlight=False,
    )
    by_kind: dict[str, list[ResourceStep]] = {}
    for step in result.changed():
        by_kind.setdefault(_kind(step), []).append(step)
    for kind in sorted(by_kind):
        err_console.print(f"  {kind}:", highlight=False)
        for step in by_kind[kind]:
            what = f" ({', '.join(step.changed_inputs)})" if step.changed_inputs else ""
            err_console.print(f"    {step.op} {step.urn}{what}", markup=False, highlight=False)


@click.command("drift")
@click.argument("environment")
@click.pass_context
def drift_command(ctx: click.Context, environment: str) -> None:
    """Compare ENVIRONMENT's state with the cloud, the cluster and the KFP API, changing nothing.

    Runs a refresh in preview mode (`pulumi refresh --preview-only`). Exit 1 with a summary when
    anything drifted (cluster objects, cloud resources, pipelines and recurring runs alike) or the
    engine fails; 2 on bad config.
    """
    check_environment(environment)
    engine = open_engine(ctx)
    result = _run(engine, "drift", environment, RunOptions())
    if result.change_count():
        render_drift(environment, result)
        sys.exit(EXIT_FAILED)
    console.print(f"[green]✓[/] no drift in {environment}: {summary_line(result)}")
    sys.exit(EXIT_OK)
