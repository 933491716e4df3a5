"""`kfstack plan ENV`."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from kfstack.commands.common import EXIT_FAILED, EXIT_OK, console, err_console, report_config_error
from stacks.config.errors import ConfigError


@click.command("plan")
@click.argument("environment")
@click.option(
    "--json",
    "json_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the resource graph as JSON (secrets redacted, stable order).",
)
@click.option(
    "--manifests",
    "manifests_dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Write every Kubernetes object as YAML into this directory.",
)
@click.option(
    "--crd-dir",
    type=click.Path(file_okay=False, exists=True, path_type=Path),
    help="Validate custom resources against CRD schemas (<group>/<Kind>_<version>.json).",
)
@click.option(
    "--charts-dir",
    type=click.Path(file_okay=False, exists=True, path_type=Path),
    help=(
        "Render every Helm release with `helm template` from the packaged charts here "
        "(<chart>-<version>.tgz): their objects are validated and their images listed and checked."
    ),
)
@click.option(
    "--policies",
    is_flag=True,
    help=(
        "Also run the policy pack (policies/) over every recorded resource; a violation fails the plan. "
        "With --charts-dir, what Helm releases render is checked too, as advisory warnings."
    ),
)
@click.option("--quiet", "-q", is_flag=True, help="Print only problems and the final line.")
def plan_command(
    environment: str,
    json_path: Path | None,
    manifests_dir: Path | None,
    crd_dir: Path | None,
    charts_dir: Path | None,
    policies: bool,
    quiet: bool,
) -> None:
    """Show every resource ENVIRONMENT would create, offline.

    Runs the real stack program in-process under Pulumi's mock runtime (no cloud, no cluster,
    no Pulumi CLI) and validates every Kubernetes object against the schema of the environment's
    Kubernetes version. Lists every image the plan pulls (Helm releases' rendered images with
    --charts-dir); with kfstack:images.registry set, an image from another registry fails the plan.
    Exit 1 when a check fails, 2 on bad config.
    """
    from kfstack.plan.build import build_plan, write_manifests
    from kfstack.plan.render import render_plan

    try:
        plan = build_plan(environment, crd_dir, charts_dir=charts_dir)
    except ConfigError as error:
        sys.exit(report_config_error(error))
    if policies:
        from kfstack.plan.policies import policy_findings

        policy_problems, policy_warnings = policy_findings(plan)
        plan.problems += policy_problems
        plan.warnings += policy_warnings
    if not quiet:
        render_plan(plan, console)
    for warning in plan.warnings:
        console.print(f"[yellow]warning:[/] {warning}", highlight=False)
    if json_path is not None:
        json_path.parent.mkdir(parents=True, exist_ok=True)
        json_path.write_text(plan.json_text(), encoding="utf-8")
        console.print(f"wrote {json_path}")
    if manifests_dir is not None:
        written = write_manifests(plan, manifests_dir)
        console.print(f"wrote {len(written)} manifests to {manifests_dir}")
    if plan.problems:
        err_console.print(f"[bold red]{len(plan.problems)} plan check(s) failed[/]")
        for problem in plan.problems:
            err_console.print(f"  - {problem.render()}", markup=False)
        sys.exit(EXIT_FAILED)
    checked = (
        "Kubernetes schema"
        + (" + CRD schemas" if crd_dir else "")
        + (" + rendered Helm releases" if charts_dir else "")
        + (" + images from the mirror" if plan.config.images.registry else "")
        + (" + policy pack" if policies else "")
    )
    console.print(
        f"[green]✓[/] plan {plan.environment}: {len(plan.resources)} resources, checks passed ({checked})"
    )
    sys.exit(EXIT_OK)
