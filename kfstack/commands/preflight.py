"""`kfstack preflight ENV`: check the AWS account can hold the environment before `pulumi up`."""

from __future__ import annotations

import json
import sys

import click
from rich.markup import escape
from rich.table import Table

from kfstack.commands.common import EXIT_FAILED, EXIT_OK, console, err_console, report_config_error
from kfstack.ops.aws_errors import AWS_ERRORS, describe_aws_error
from kfstack.ops.checks import Check, Status, worst
from kfstack.ops.preflight import AwsClients, nothing_to_check, preflight_checks
from kfstack.ops.pricing import PRICING_REGION
from stacks.config.errors import ConfigError
from stacks.config.loader import load_environment

_STYLE = {Status.PASS: "green", Status.WARN: "yellow", Status.FAIL: "bold red"}


@click.command("preflight")
@click.argument("environment")
@click.option("--json", "as_json", is_flag=True, help="Print the checks as JSON instead of a table.")
def preflight_command(environment: str, as_json: bool) -> None:
    """Check ENVIRONMENT's AWS account before `pulumi up` (read-only calls).

    \b
    - the region exists and is enabled; each chosen availability zone exists and is up
    - which of each node pool's instance types EC2 offers in which zone
    - the EC2 vCPU quota of each family (On-Demand or Spot) against the pools at maximum size
    - the monthly On-Demand cost of each pool at minimum and maximum size (Price List API, 730 h)
    Exit 0 when nothing failed (warnings allowed), 1 on a failed check or an AWS error (e.g. no
    credentials), 2 on bad config. An existing cluster (e.g. local) has nothing to check: exit 0.
    """
    try:
        name, config = load_environment(environment)
    except ConfigError as error:
        sys.exit(report_config_error(error))
    reason = nothing_to_check(config)
    if reason is not None:
        if as_json:
            console.print_json(json.dumps({"environment": name, "status": "skipped", "reason": reason}))
        else:
            console.print(f"{name}: {reason}")
        sys.exit(EXIT_OK)
    eks = config.cluster.eks
    assert eks is not None  # nothing_to_check() returned None: an EKS environment
    try:
        checks = preflight_checks(config, _clients(eks.region))
    except AWS_ERRORS as error:
        err_console.print(f"[bold red]preflight failed[/]: {escape(describe_aws_error(error))}")
        sys.exit(EXIT_FAILED)
    overall = worst(checks)
    if as_json:
        document = {"environment": name, "status": overall.value, "checks": [c.as_json() for c in checks]}
        console.print_json(json.dumps(document))
    else:
        _table(name, checks, overall)
    sys.exit(EXIT_FAILED if overall is Status.FAIL else EXIT_OK)


def _clients(region: str) -> AwsClients:
    import boto3  # imported here: the offline commands do not pay for it

    session = boto3.session.Session(region_name=region)
    return AwsClients(
        ec2=session.client("ec2"),
        quotas=session.client("service-quotas"),
        pricing=session.client("pricing", region_name=PRICING_REGION),
    )


def _table(name: str, checks: list[Check], overall: Status) -> None:
    table = Table(title=f"preflight: {name}", title_justify="left", show_lines=False)
    for column in ("check", "subject", "status", "details"):
        table.add_column(column, overflow="fold")
    for check in checks:
        status = f"[{_STYLE[check.status]}]{check.status.value}[/]"
        table.add_row(check.category, escape(check.subject), status, escape(check.detail))
    console.print(table)
    counts = {s: sum(c.status is s for c in checks) for s in Status}
    console.print(
        f"[{_STYLE[overall]}]{overall.value}[/]: {counts[Status.PASS]} passed, "
        f"{counts[Status.WARN]} warned, {counts[Status.FAIL]} failed"
    )
