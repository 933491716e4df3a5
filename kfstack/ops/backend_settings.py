"""Which state backend and secrets provider an environment uses, from its config and stack file.

`local` (tier) keeps its state in `<project>/.pulumi-state` (file backend). Every other environment
has an S3 bucket: `kfstack:stateBackend.bucket`, else `kfstack-state-<environment>-<account id>`, in
`kfstack:stateBackend.region`, else the EKS region.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import yaml

from kfstack.ops.s3_backend import S3BackendTarget
from stacks.config.environment import EnvironmentConfig
from stacks.config.state_backend import StateBackendConfig, bucket_name_problem


class BackendSettingsError(Exception):
    """The config does not say enough to choose the backend (bad input)."""


@dataclass(frozen=True)
class FileBackendTarget:
    """The `local` file backend: a folder of the Pulumi project (the directory with Pulumi.yaml)."""

    project: Path


def project_directory(stack_file: Path) -> Path:
    """The Pulumi project a stack file belongs to: the nearest directory above it with Pulumi.yaml."""
    for directory in stack_file.resolve().parents:
        if (directory / "Pulumi.yaml").is_file():
            return directory
    raise BackendSettingsError(f"no Pulumi.yaml in any directory above {stack_file}")


def default_bucket_name(environment: str, account_id: str) -> str:
    return f"kfstack-state-{environment}-{account_id}"


def backend_region(config: EnvironmentConfig) -> str:
    """The bucket's region: stateBackend.region, else the EKS region."""
    backend = config.state_backend or StateBackendConfig()
    if backend.region:
        return backend.region
    if config.cluster.eks is not None:
        return config.cluster.eks.region
    raise BackendSettingsError(
        "kfstack:stateBackend.region: required on an existing cluster outside local (no EKS region to use)"
    )


def s3_backend_target(
    environment: str, config: EnvironmentConfig, account_id: Callable[[], str]
) -> S3BackendTarget:
    """The bucket of a cloud environment; `account_id` is asked only when the name is derived."""
    backend = config.state_backend or StateBackendConfig()
    region = backend_region(config)
    bucket = backend.bucket
    if bucket is None:
        bucket = default_bucket_name(environment, account_id())
        if problem := bucket_name_problem(bucket):
            raise BackendSettingsError(
                f"the derived bucket name {bucket!r} is not valid ({problem}); "
                "set kfstack:stateBackend.bucket"
            )
    return S3BackendTarget(bucket, region, backend.kms_key_arn, backend.noncurrent_version_days)


def declared_secrets_provider(stack_file: Path) -> str | None:
    """The stack file's top-level `secretsprovider:` (Pulumi writes it for cloud KMS providers)."""
    document = yaml.safe_load(stack_file.read_text(encoding="utf-8")) or {}
    value = document.get("secretsprovider") if isinstance(document, dict) else None
    return str(value) if value else None


def awskms_url(key_arn: str) -> str:
    """Pulumi's awskms:// form of a KMS key or alias ARN (`awskms://<key id>?region=<region>`)."""
    region, resource = key_arn.split(":")[3], key_arn.split(":", 5)[5]
    key = resource.removeprefix("key/")
    return f"awskms://{key}?region={region}"


def secrets_provider_lines(environment: str, config: EnvironmentConfig, stack_file: Path) -> list[str]:
    """What to run (or set) so the stack encrypts its secrets with the configured provider."""
    backend = config.state_backend or StateBackendConfig()
    declared = declared_secrets_provider(stack_file)
    if backend.secrets_provider == "awskms" and backend.kms_key_arn:
        url = awskms_url(backend.kms_key_arn)
        if declared == url:
            return [f"# secrets: AWS KMS; {stack_file.name} already has `secretsprovider: {url}`"]
        lines = [
            f"# secrets: AWS KMS; the stack file setting is `secretsprovider: {url}`",
            f"pulumi stack init {environment} --secrets-provider '{url}'",
            f"# or, for an existing stack: pulumi stack change-secrets-provider '{url}' -s {environment}",
        ]
        if declared:
            lines.insert(1, f"# {stack_file.name} has `secretsprovider: {declared}` instead")
        return lines
    lines = [
        "# secrets: passphrase; export it (or PULUMI_CONFIG_PASSPHRASE_FILE) before each pulumi command",
        "export PULUMI_CONFIG_PASSPHRASE=...",
        f"pulumi stack init {environment} --secrets-provider passphrase",
    ]
    if declared and declared != "passphrase":
        lines.insert(
            1, f"# {stack_file.name} declares `secretsprovider: {declared}`, which Pulumi uses instead"
        )
    return lines
