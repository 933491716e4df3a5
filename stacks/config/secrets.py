"""Secret config values: Pulumi `secure:` entries, never plain text.

In a stack file a secret is `{secure: <ciphertext>}`. The loader turns it into a `SecretRef`;
fields typed `Secret` accept nothing else, so a plain-text password is a validation error.
Under the real engine the decrypted value is filled in from Pulumi config; offline (plan,
validate) it stays unknown and is rendered as a placeholder that the plan redacts.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Annotated, Any

import pulumi
from pydantic import BeforeValidator, PlainSerializer
from pydantic_core import PydanticCustomError

REDACTED = "[secret]"
PLAIN_TEXT_SECRET = "plain_text_secret"
"""The pydantic error type of a plain-text value in a `Secret` field: its value is never shown."""


@dataclass(frozen=True)
class SecretRef:
    """A `secure:` value from a stack file; `plaintext` is only known under the real engine."""

    ciphertext: str
    plaintext: str | None = field(default=None, repr=False, compare=False)

    def __str__(self) -> str:
        return REDACTED

    def as_output(self) -> pulumi.Output[str]:
        """The value as a Pulumi secret output.

        Offline (mock runtime) the value is unknown and a placeholder stands in; under the real
        engine a missing value is an error, never a placeholder deployed as the secret.
        """
        if self.plaintext is not None:
            return pulumi.Output.secret(self.plaintext)
        if not _running_under_mocks():
            raise RuntimeError("a `secure:` config value was not decrypted by the Pulumi engine")
        return pulumi.Output.secret(f"offline-placeholder-{len(self.ciphertext)}")


def _running_under_mocks() -> bool:
    from pulumi.runtime.mocks import MockMonitor
    from pulumi.runtime.settings import SETTINGS

    return isinstance(SETTINGS.monitor, MockMonitor)


def _require_secret_ref(value: Any) -> SecretRef:
    if isinstance(value, SecretRef):
        return value
    # The message carries no value: errors.py adds the key path and never the input.
    raise PydanticCustomError(PLAIN_TEXT_SECRET, "plain-text value where a secret is required")


def secret_hint(key_path: str) -> str:
    """How to store the value at `key_path` (e.g. `kfstack:auth.oauth2Proxy.cookieSecret`) as a secret."""
    return (
        f"plain-text value where a secret is required; store it with "
        f"`pulumi config set --secret --path '{key_path}' <value>` so the file holds `secure: ...`"
    )


Secret = Annotated[
    SecretRef,
    BeforeValidator(_require_secret_ref),
    PlainSerializer(lambda _ref: REDACTED, return_type=str),
]
"""A config field that must be a Pulumi secret (`secure:` in the stack file)."""
