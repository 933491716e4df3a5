"""What every KFP dynamic provider shares: its (stateless) shape and the connection plumbing.

Pulumi serialises provider instances with dill, by reference to their class, and runs them in a
separate process (`python -m pulumi.dynamic`). So provider classes live in this installed,
side-effect-free package and are never renamed; an instance holds only its `RetryPolicy` (plain
numbers and a sleep function); API clients and credentials are built inside each method.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

import pulumi
import pulumi.dynamic

from modules.kfp.client import KfpApi, open_api
from modules.kfp.connection import connection_from_props, connection_problems
from modules.kfp.errors import RetryPolicy
from modules.kfp.props import PROVIDER_KEY, inputs_of, is_unknown, plain, with_secret_credentials

CONNECTION_INPUTS = ("connection", "credentials")


def resource_options(opts: pulumi.ResourceOptions | None) -> pulumi.ResourceOptions:
    """A KFP resource's options: `credentials` stays a secret in state, whatever the host reports."""
    secret = pulumi.ResourceOptions(additional_secret_outputs=["credentials"])
    return pulumi.ResourceOptions.merge(secret, opts)


def timestamp(value: datetime | None) -> str | None:
    """An API timestamp as RFC 3339 text for outputs."""
    return value.isoformat() if value is not None else None


class KfpProvider(pulumi.dynamic.ResourceProvider):
    """Base of the KFP providers: `INPUTS` are the resource's input keys (besides the connection)."""

    INPUTS: tuple[str, ...] = ()

    def __init__(self, retry: RetryPolicy | None = None) -> None:
        super().__init__()
        self._retry = retry

    def api(self, props: Mapping[str, Any]) -> KfpApi:
        """Clients for the connection in `props`, credentials resolved now."""
        return open_api(connection_from_props(props), self._retry)

    def working_inputs(self, props: Mapping[str, Any]) -> dict[str, Any]:
        """The resource's inputs from `props` (inputs or outputs), unwrapped."""
        return inputs_of(props, (*CONNECTION_INPUTS, *self.INPUTS))

    def outputs(self, inputs: Mapping[str, Any], **live: Any) -> dict[str, Any]:
        """Outputs: the inputs (credentials kept secret) plus ids and live state."""
        outs = {key: value for key, value in inputs.items() if key != PROVIDER_KEY}
        outs.update({key: value for key, value in live.items() if value is not None})
        return with_secret_credentials(outs)

    def connection_failures(self, news: Mapping[str, Any]) -> list[tuple[str, str]]:
        """(property, reason) for a connection that cannot work."""
        connection, credentials = news.get("connection"), news.get("credentials")
        if is_unknown(connection) and not isinstance(connection, Mapping):
            return []
        if not isinstance(connection, Mapping):
            return [("connection", "connection is required")]
        if (
            credentials is not None
            and not isinstance(plain(credentials), Mapping)
            and not is_unknown(credentials)
        ):
            return [("credentials", "credentials must be a mapping")]
        return [("connection", why) for why in connection_problems(connection, plain(credentials) or {})]

    @staticmethod
    def required(news: Mapping[str, Any], keys: Iterable[str]) -> list[tuple[str, str]]:
        """(property, reason) for each of `keys` missing from `news`."""
        return [(key, f"{key} is required") for key in keys if news.get(key) in (None, "")]
