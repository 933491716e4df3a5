"""`kfstack bootstrap ENV`: create the environment's Pulumi state backend, then say how to log in."""

from __future__ import annotations

import sys

import click
from rich.markup import escape

from kfstack.commands.common import (
    EXIT_BAD_INPUT,
    EXIT_FAILED,
    EXIT_OK,
    console,
    err_console,
    report_config_error,
)
from kfstack.ops.aws_errors import AWS_ERRORS, describe_aws_error
from kfstack.ops.backend_settings import (
    BackendSettingsError,
    backend_region,
    project_directory,
    s3_backend_target,
    secrets_provider_lines,
)
from kfstack.ops.file_backend import ensure_file_backend, login_url
from kfstack.ops.outcomes import Outcome, Step
from kfstack.ops.s3_backend import BackendError, ensure_s3_backend
from stacks.config.environment import EnvironmentConfig
from stacks.config.errors import ConfigError
from stacks.config.loader import load_environment, resolve_environment_file

_STYLE = {Outcome.CREATED: "green", Outcome.UPDATED: "yellow", Outcome.UNCHANGED: "dim"}


@click.command("bootstrap")
@click.argument("environment")
def bootstrap_command(environment: str) -> None:
    """Create ENVIRONMENT's Pulumi state backend (idempotent), then print the login line.

    \b
    local (tier): the git-ignored folder .pulumi-state/ of the Pulumi project (file backend).
    others: an S3 bucket (kfstack:stateBackend.bucket, default kfstack-state-ENV-ACCOUNT) with
      versioning, default encryption (SSE-KMS with stateBackend.kmsKeyArn, else SSE-S3), all
      public access blocked, a TLS-only bucket policy and a lifecycle rule expiring overwritten
      state versions after stateBackend.noncurrentVersionDays (90). AWS credentials from the
      usual chain (AWS_PROFILE, AWS_ACCESS_KEY_ID, ...).
    Re-running changes nothing and reports each setting as already configured.
    Exit 0 done, 1 AWS refused or failed, 2 bad config.
    """
    try:
        stack_file = resolve_environment_file(environment)
        name, config = load_environment(environment)
    except ConfigError as error:
        sys.exit(report_config_error(error))
    try:
        if config.tier == "local":
            project = project_directory(stack_file)
            steps = ensure_file_backend(project)
            login = login_url(project)
        else:
            steps, login = _bootstrap_s3(name, config)
    except BackendSettingsError as error:
        err_console.print(f"[bold red]bad input[/] {escape(str(stack_file))}: {escape(str(error))}")
        sys.exit(EXIT_BAD_INPUT)
    except BackendError as error:
        err_console.print(f"[bold red]failed[/]: {escape(str(error))}")
        sys.exit(EXIT_FAILED)
    except AWS_ERRORS as error:
        err_console.print(f"[bold red]failed[/]: {escape(describe_aws_error(error))}")
        sys.exit(EXIT_FAILED)
    _report(name, steps)
    console.print(f"pulumi login '{login}'", markup=False)
    for line in secrets_provider_lines(name, config, stack_file):
        console.print(line, markup=False)
    sys.exit(EXIT_OK)


def _bootstrap_s3(name: str, config: EnvironmentConfig) -> tuple[list[Step], str]:
    import boto3  # imported here: the offline commands do not pay for it

    session = boto3.session.Session(region_name=backend_region(config))

    def account_id() -> str:
        return str(session.client("sts").get_caller_identity()["Account"])

    target = s3_backend_target(name, config, account_id)
    s3 = session.client("s3", region_name=target.region)
    return ensure_s3_backend(s3, target), target.login_url


def _report(name: str, steps: list[Step]) -> None:
    changed = sum(step.changed for step in steps)
    for step in steps:
        console.print(
            f"  [{_STYLE[step.outcome]}]{step.outcome.value:<18}[/] {step.what}: {escape(step.detail)}"
        )
    summary = f"{changed} setting(s) changed" if changed else "nothing changed: already configured"
    console.print(f"[bold]{name}[/]: state backend ready ({summary})")

