"""`kfstack validate ENV|FILE`."""

from __future__ import annotations

import sys

import click

from kfstack.commands.common import EXIT_OK, console, report_config_error
from stacks.config.errors import ConfigError
from stacks.config.loader import load_environment


@click.command("validate")
@click.argument("environment")
def validate_command(environment: str) -> None:
    """Check an environment's config without touching any cloud.

    ENVIRONMENT is a name (local, dev, staging, prod: environments/Pulumi.<name>.yaml) or a path
    to a stack file. Exit 0 when valid; exit 2 listing each problem with its key path and line.
    """
    try:
        name, config = load_environment(environment)
    except ConfigError as error:
        sys.exit(report_config_error(error))
    pools = len(config.node_pools)
    gpu_pools = sum(1 for p in config.node_pools.values() if p.gpu)
    console.print(
        f"[green]✓[/] {name}: valid ({config.tier}, {config.cluster.kind} cluster, Kubernetes "
        f"{config.cluster.kubernetes_version}, {pools} node pool{'s' if pools != 1 else ''} "
        f"({gpu_pools} GPU), {len(config.pipelines.registered)} pipeline(s) registered, "
        f"{len(config.pipelines.schedules)} schedule(s), "
        f"release {config.components.release})"
    )
    sys.exit(EXIT_OK)
