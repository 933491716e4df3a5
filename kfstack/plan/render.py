"""Human-readable plan summary with rich."""

from __future__ import annotations

from collections import Counter

import yaml
from rich.console import Console
from rich.table import Table

from kfstack.plan.build import Plan
from kfstack.plan.render_images import render_images


def display_type(type_: str) -> str:
    """A shorter type token for tables: `aws:iam/role:Role` -> `aws:iam:Role`.

    Kubernetes tokens keep their group/version (`kubernetes:apps/v1:Deployment`), which matters;
    dynamic resources drop the SDK prefix (`pulumi-python:dynamic/kfp:Pipeline` -> `dynamic:kfp:Pipeline`).
    """
    package, _, rest = type_.partition(":")
    if package == "pulumi-python" and rest.startswith("dynamic/"):
        return "dynamic:" + rest.removeprefix("dynamic/")
    module, _, name = rest.rpartition(":")
    if package in ("kubernetes", "pulumi") or "/" not in module:
        return type_
    return f"{package}:{module.split('/')[0]}:{name}"


def render_plan(plan: Plan, console: Console) -> None:
    """Print resources grouped by top-level component and type, with counts."""
    by_urn = {r.urn: r for r in plan.resources}
    groups: Counter[tuple[str, str]] = Counter()
    for r in plan.resources:
        root = r
        while root.parent in by_urn:
            root = by_urn[root.parent]
        groups[(f"{root.name} ({root.type.rsplit(':', 1)[-1]})", display_type(r.type))] += 1
    table = Table(title=f"kfstack plan: {plan.environment}", show_lines=False)
    # Narrowed on a terminal only: a CI log gets each component name whole, on one line.
    table.add_column("component", max_width=26 if console.is_terminal else None, overflow="fold")
    table.add_column("resource type", no_wrap=True)
    table.add_column("count", justify="right")
    previous = None
    for (component, type_), count in sorted(groups.items()):
        table.add_row(component if component != previous else "", type_, str(count))
        previous = component
    console.print(table)
    _render_components(plan, console)
    _render_kfp_objects(plan, console)
    render_images(plan, console)
    protected = sum(1 for r in plan.resources if r.protect)
    custom = sum(1 for r in plan.resources if r.custom)
    console.print(
        f"{len(plan.resources)} resources ({custom} custom, {len(plan.resources) - custom} components), "
        f"{len(plan.kubernetes_objects())} Kubernetes objects, {protected} protected"
    )


class _ValuesDumper(yaml.SafeDumper):
    """Multi-line strings (config files in values) as literal blocks, as they were written."""


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_ValuesDumper.add_representer(str, _represent_str)


def _render_components(plan: Plan, console: Console) -> None:
    """Each switched-on component with its app version and source, then every Helm release's values."""
    components = plan.components()
    if not components:
        return
    table = Table(title="Platform components (compatibility matrix)", show_lines=False)
    table.add_column("component", no_wrap=True)
    table.add_column("app version", no_wrap=True)
    table.add_column("from", overflow="fold")
    table.add_column("installed", no_wrap=True)
    for component in components:
        table.add_row(
            component.key, component.app_version, component.source, "yes" if component.installed else "no"
        )
    console.print(table)
    for component in components:
        for release in component.releases:
            console.print(
                f"[bold]{release.name}[/] ({release.chart} {release.version}, namespace {release.namespace}) "
                "values:",
                highlight=False,
            )
            text = (
                yaml.dump(release.values, Dumper=_ValuesDumper, sort_keys=True) if release.values else "{}\n"
            )
            indented = "".join(f"  {line}\n" for line in text.splitlines())
            console.print(indented.rstrip("\n"), markup=False, highlight=False, soft_wrap=True)


KFP_TYPE = "pulumi-python:dynamic/kfp:"


def _render_kfp_objects(plan: Plan, console: Console) -> None:
    """The pipeline versions (content-hash names) and schedules the plan registers in KFP."""
    versions = [r for r in plan.resources if r.type == f"{KFP_TYPE}PipelineVersion"]
    schedules = [r for r in plan.resources if r.type == f"{KFP_TYPE}RecurringRun"]
    if not versions and not schedules:
        return
    table = Table(title="Kubeflow Pipelines objects", show_lines=False)
    table.add_column("kind")
    table.add_column("name", no_wrap=True)
    table.add_column("what")
    for version in sorted(versions, key=lambda r: r.name):
        table.add_row(
            "pipeline version",
            str(version.inputs.get("name")),
            f"keeps {version.inputs.get('keep_versions')}",
        )
    for schedule in sorted(schedules, key=lambda r: r.name):
        inputs = schedule.inputs
        when = f"cron {inputs['cron']}" if inputs.get("cron") else f"every {inputs.get('interval_seconds')} s"
        state = "" if inputs.get("enabled", True) else ", paused"
        table.add_row("recurring run", str(inputs.get("name")), f"{when}{state}")
    console.print(table)
