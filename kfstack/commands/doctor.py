"""`kfstack doctor ENV`: is this machine ready to run the engine commands on ENV?"""

from __future__ import annotations

import sys
from typing import Any

import click
from rich.table import Table

from kfstack.commands.common import EXIT_FAILED, EXIT_OK, console, report_config_error
from stacks.config.errors import ConfigError

_STYLE = {"pass": "[green]pass[/]", "warn": "[yellow]warn[/]", "fail": "[red]fail[/]"}


def _sts_client(region: str) -> Any:
    import boto3

    return boto3.client("sts", region_name=region)


@click.command("doctor")
@click.argument("environment")
@click.pass_context
def doctor_command(ctx: click.Context, environment: str) -> None:
    """Check the Pulumi CLI version, the backend login, cloud credentials and the kubeconfig context.

    AWS credentials (sts get-caller-identity) are checked for EKS environments, the kubeconfig
    context `kfstack:cluster.existing.context` for existing-cluster ones. Exit 1 when a check
    fails, 2 on bad config.
    """
    from kfstack.commands.engine import engine_factory
    from kfstack.engine.automation import MINIMUM_CLI_VERSION, PINNED_CLI_VERSION
    from kfstack.engine.doctor import run_checks
    from stacks.config.loader import load_environment

    try:
        _, config = load_environment(environment)
    except ConfigError as error:
        sys.exit(report_config_error(error))
    obj = ctx.find_root().obj
    sts_client = obj.get("sts_client", _sts_client) if isinstance(obj, dict) else _sts_client
    checks = run_checks(config, engine_factory(ctx), sts_client, PINNED_CLI_VERSION, MINIMUM_CLI_VERSION)
    table = Table(title=f"doctor {environment}", show_lines=False)
    table.add_column("check")
    table.add_column("status")
    table.add_column("detail", overflow="fold")
    for check in checks:
        table.add_row(check.name, _STYLE[check.status], check.detail)
    console.print(table)
    failed = [c.name for c in checks if c.status == "fail"]
    if failed:
        console.print(f"[red]✗[/] {len(failed)} check(s) failed: {', '.join(failed)}")
        sys.exit(EXIT_FAILED)
    console.print(f"[green]✓[/] {environment}: ready")
    sys.exit(EXIT_OK)
