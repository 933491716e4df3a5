"""`kfstack:stateBackend`: where Pulumi keeps the environment's state, as `kfstack bootstrap` creates it.

`local` keeps its state in a git-ignored folder of the repository (file backend); every other tier
in an S3 bucket of its own (self-managed backend). The Pulumi program does not read this section.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Literal

from pydantic import Field

from stacks.config.aws_values import region_problem
from stacks.config.base import ConfigModel
from stacks.config.rules import Violation, violation

# S3 general purpose bucket naming rules: 3-63 characters, lowercase letters, digits, dots and hyphens,
# starting and ending with a letter or digit, no `..`, not an IP address, reserved prefixes/suffixes.
_BUCKET_NAME = re.compile(r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")
_IP_ADDRESS = re.compile(r"^\d{1,3}(\.\d{1,3}){3}$")
_RESERVED_PREFIXES = ("xn--", "sthree-", "amzn-s3-demo-")
_RESERVED_SUFFIXES = ("-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3")
_KMS_KEY = re.compile(r"^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:(key|alias)/[\w/-]+$")


def bucket_name_problem(name: str) -> str | None:
    """Why `name` is not a valid S3 bucket name, or None."""
    if not _BUCKET_NAME.match(name):
        return "3-63 lowercase letters, digits, dots or hyphens, starting and ending with a letter or digit"
    if ".." in name or _IP_ADDRESS.match(name):
        return "must not contain '..' or look like an IP address"
    if name.startswith(_RESERVED_PREFIXES) or name.endswith(_RESERVED_SUFFIXES):
        return "uses a prefix or suffix S3 reserves"
    return None


class StateBackendConfig(ConfigModel):
    """The S3 state backend of a cloud environment (ignored by `local`, which uses the file backend)."""

    bucket: str | None = Field(
        None,
        description="S3 bucket for the state; default kfstack-state-<environment>-<account id> "
        "(bucket names are global, the account id keeps them unique).",
    )
    region: str | None = Field(
        None, description="Region of the bucket; default the EKS region (cluster.eks.region)."
    )
    kms_key_arn: str | None = Field(
        None,
        description="KMS key (ARN) for SSE-KMS default encryption of the bucket; unset: SSE-S3. With "
        "secretsProvider awskms it also encrypts the stack's secrets.",
    )
    noncurrent_version_days: int = Field(
        90, ge=1, le=3650, description="Days an overwritten state version is kept before S3 expires it."
    )
    secrets_provider: Literal["passphrase", "awskms"] = Field(
        "passphrase",
        description="How Pulumi encrypts the stack's secrets: a passphrase (PULUMI_CONFIG_PASSPHRASE) "
        "or the KMS key kmsKeyArn.",
    )

    def rule_problems(self) -> Iterator[Violation]:
        if self.bucket is not None and (problem := bucket_name_problem(self.bucket)):
            yield violation("bucket", f"not a valid S3 bucket name: {problem}", self.bucket)
        if self.region is not None and (why := region_problem(self.region, "s3")):
            yield violation("region", why, self.region)
        if self.kms_key_arn is not None and not _KMS_KEY.match(self.kms_key_arn):
            yield violation(
                "kmsKeyArn", "must be a KMS key ARN (arn:aws:kms:REGION:ACCOUNT:key/ID)", self.kms_key_arn
            )
        if self.secrets_provider == "awskms" and self.kms_key_arn is None:
            yield violation("secretsProvider", "awskms needs kmsKeyArn (the key that encrypts the secrets)")
