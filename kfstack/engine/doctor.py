"""`kfstack doctor`'s checks: Pulumi CLI version, backend login, cloud credentials, kubeconfig context.

Each check returns a `Check` (pass / fail and what it found); none raises for an expected failure.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from packaging.version import InvalidVersion, Version

from kfstack.engine.interface import Engine, EngineError, EngineMissingError
from stacks.config.environment import EnvironmentConfig

Status = Literal["pass", "warn", "fail"]


@dataclass(frozen=True)
class Check:
    """One doctor line."""

    name: str
    status: Status
    detail: str


def cli_check(open_engine: Callable[[], Engine], pinned: str, minimum: str) -> tuple[Check, Engine | None]:
    """The CLI is there and at least the Automation API's minimum; warn when it is not the pinned one."""
    try:
        engine = open_engine()
    except EngineMissingError as error:
        return Check("pulumi CLI", "fail", str(error)), None
    version = engine.cli_version()
    try:
        found = Version(version)
    except InvalidVersion:
        return Check("pulumi CLI", "fail", f"unrecognised version {version!r}"), engine
    if found < Version(minimum):
        return Check("pulumi CLI", "fail", f"{version} is older than the minimum {minimum}"), engine
    if found != Version(pinned):
        return Check("pulumi CLI", "warn", f"{version} (pinned: {pinned}, the installed SDK's)"), engine
    return Check("pulumi CLI", "pass", version), engine


def login_check(engine: Engine | None) -> Check:
    """`pulumi whoami` through the engine."""
    if engine is None:
        return Check("backend login", "fail", "needs the pulumi CLI")
    try:
        return Check("backend login", "pass", engine.whoami())
    except EngineError as error:
        return Check("backend login", "fail", f"{error} (run `pulumi login ...`)")


def aws_credentials_check(config: EnvironmentConfig, sts_client: Callable[[str], Any]) -> Check | None:
    """For EKS environments: `sts get-caller-identity` in the environment's region; None otherwise."""
    eks = config.cluster.eks
    if config.cluster.kind != "eks" or eks is None:
        return None
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        identity = sts_client(eks.region).get_caller_identity()
    except (BotoCoreError, ClientError) as error:
        return Check("AWS credentials", "fail", f"{error} (set AWS_PROFILE or AWS_ACCESS_KEY_ID/...)")
    who = f"{identity['Arn']} (account {identity['Account']}, {eks.region})"
    return Check("AWS credentials", "pass", who)


def kubeconfig_check(config: EnvironmentConfig) -> Check | None:
    """For existing-cluster environments: the kubeconfig has the named context; None otherwise."""
    existing = config.cluster.existing
    if config.cluster.kind != "existing" or existing is None:
        return None
    from kubernetes import config as kube_config
    from kubernetes.config.config_exception import ConfigException

    path = Path(existing.kubeconfig).expanduser()
    if not path.is_file():
        return Check("kubeconfig context", "fail", f"kubeconfig {path} does not exist")
    try:
        contexts, _ = kube_config.list_kube_config_contexts(config_file=str(path))
    except (ConfigException, OSError, ValueError) as error:
        return Check("kubeconfig context", "fail", f"{path}: {error}")
    names = sorted(c["name"] for c in contexts or [])
    if existing.context not in names:
        return Check(
            "kubeconfig context",
            "fail",
            f"context '{existing.context}' not in {path} (has: {', '.join(names) or 'none'})",
        )
    return Check("kubeconfig context", "pass", f"{existing.context} in {path}")


def run_checks(
    config: EnvironmentConfig,
    open_engine: Callable[[], Engine],
    sts_client: Callable[[str], Any],
    pinned: str,
    minimum: str,
) -> list[Check]:
    """Every check that applies to the environment, in order."""
    cli, engine = cli_check(open_engine, pinned, minimum)
    checks = [cli, login_check(engine)]
    checks += [c for c in (aws_credentials_check(config, sts_client), kubeconfig_check(config)) if c]
    return checks
