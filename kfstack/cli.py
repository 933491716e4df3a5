"""The `kfstack` operator CLI: thin click commands that parse, call one function and render."""

from __future__ import annotations

import click

from kfstack.commands.pipelines import pipelines_group


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="kfstack")
def main() -> None:
    """Provision and operate a kfstack MLOps platform, one environment at a time.

    Offline commands (no cloud, no cluster, no Pulumi CLI): validate, plan, diff, pipelines.
    """


main.add_command(pipelines_group)
