"""The `kfstack` operator CLI: thin click commands that parse, call one function and render."""

from __future__ import annotations

import gc
from typing import Any

import click

from kfstack.commands.bootstrap import bootstrap_command
from kfstack.commands.common import EXIT_FAILED, err_console
from kfstack.commands.diff import diff_command
from kfstack.commands.doctor import doctor_command
from kfstack.commands.engine import (
    destroy_command,
    drift_command,
    preview_command,
    refresh_command,
    up_command,
)
from kfstack.commands.pipelines import pipelines_group
from kfstack.commands.plan import plan_command
from kfstack.commands.preflight import preflight_command
from kfstack.commands.validate import validate_command

DEBUG_KEY = "kfstack.debug"


class KfstackGroup(click.Group):
    """The command group: an unexpected error is one line and a pointer to `--debug`, not a traceback."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (click.exceptions.Exit, click.ClickException, click.Abort, SystemExit, KeyboardInterrupt):
            raise
        except Exception as error:
            if ctx.meta.get(DEBUG_KEY):
                raise
            first_line = (str(error).strip().splitlines() or ["(no message)"])[0]
            err_console.print(
                f"error: unexpected {type(error).__name__}: {first_line} "
                "(rerun with `kfstack --debug ...` for the traceback)",
                markup=False,
            )
            ctx.exit(EXIT_FAILED)


@click.group(cls=KfstackGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="kfstack")
@click.option("--debug", is_flag=True, help="Show the full traceback of an unexpected error.")
@click.pass_context
def main(ctx: click.Context, debug: bool) -> None:
    """Provision and operate a kfstack MLOps platform, one environment at a time.

    \b
    Offline (no cloud, no cluster, no Pulumi CLI):
      validate ENV       check environments/Pulumi.ENV.yaml
      plan ENV           every resource ENV would create and the images it pulls, schema-checked
      diff OLD NEW       compare two plans (e.g. in a pull request)
      pipelines ...      list, compile and run the Kubeflow pipelines locally
    Against the cloud account (AWS credentials):
      bootstrap ENV      create ENV's Pulumi state backend (S3 bucket; local: a repo folder)
      preflight ENV      zones, instance-type offerings, vCPU quotas and monthly cost of ENV
    With the Pulumi engine (CLI + backend login; stack = ENV):
      doctor ENV         CLI version, backend login, cloud credentials, kubeconfig context
      preview|up|destroy|refresh ENV   the Pulumi operations, streamed
      drift ENV          what changed outside Pulumi (refresh in preview mode); exit 1 on drift

    Exit codes: 0 done, 1 a check failed (or an unexpected error), 2 bad input.
    """
    ctx.meta[DEBUG_KEY] = debug


main.add_command(validate_command)
main.add_command(plan_command)
main.add_command(diff_command)
main.add_command(pipelines_group)
main.add_command(bootstrap_command)
main.add_command(preflight_command)
for engine_command in (preview_command, up_command, destroy_command, refresh_command, drift_command):
    main.add_command(engine_command)
main.add_command(doctor_command)


def run() -> None:
    """Console entry point: the CLI, then exit without the interpreter's final garbage collection.

    A plan loads the large Pulumi AWS/Kubernetes SDKs; the exit-time collection over them costs
    about a second (measured), so live objects are frozen and left to the OS to reclaim.
    """
    try:
        main()
    finally:
        gc.freeze()
