"""`kfstack diff OLD.json NEW.json`."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from kfstack.commands.common import EXIT_BAD_INPUT, EXIT_FAILED, EXIT_OK, console, err_console
from kfstack.plan.diff import diff_plans, load_plan_file
from kfstack.plan.render_diff import render_markdown, render_table


@click.command("diff")
@click.argument("old", type=click.Path(dir_okay=False, path_type=Path))
@click.argument("new", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "markdown"]),
    default="table",
    show_default=True,
    help="markdown suits pull-request comments.",
)
@click.option("--exit-code", is_flag=True, help="Exit 1 when anything changed (like `git diff --exit-code`).")
def diff_command(old: Path, new: Path, fmt: str, exit_code: bool) -> None:
    """Compare two plans written by `kfstack plan --json` (e.g. base branch vs pull request).

    Lists resources to add, update, replace and delete, with each changed input path and its
    old → new value (secrets stay redacted: plans never contain them).
    """
    try:
        changes = diff_plans(load_plan_file(old), load_plan_file(new))
    except ValueError as error:
        err_console.print(f"[red]error:[/] {error}", markup=True)
        sys.exit(EXIT_BAD_INPUT)
    if fmt == "markdown":
        click.echo(render_markdown(changes), nl=False)
    else:
        render_table(changes, console)
    sys.exit(EXIT_FAILED if exit_code and changes else EXIT_OK)
