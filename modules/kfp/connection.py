"""How the KFP resources reach the Kubeflow Pipelines API: endpoint, profile namespace, auth.

`KfpConnection` is what the stack builds from config and hands to every KFP resource. On the
wire it travels as two inputs: `connection` (plain: endpoint, namespace, auth mode, names) and
`credentials` (always a Pulumi secret: kubeconfig, token, password). Keeping the secrets in
their own top-level input lets the resources list it in `additional_secret_outputs`, so it stays
encrypted in state even though the dynamic-provider host reports `acceptSecrets: false`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal, cast, get_args

import pulumi

from modules.kfp.props import is_unknown, plain

AuthMode = Literal["serviceAccountToken", "oidcToken", "none", "dexPassword"]
AUTH_MODES: tuple[str, ...] = get_args(AuthMode)

# The audience KFP's API server asks TokenReview to check for service-account tokens (the one the
# KFP docs project into pods as /var/run/secrets/kubeflow/pipelines/token).
KFP_TOKEN_AUDIENCE = "pipelines.kubeflow.org"

_SCHEMES = ("http://", "https://")

# Keys of the plain `connection` input, in a stable order (the provider reads exactly these).
CONNECTION_KEYS = (
    "endpoint",
    "namespace",
    "auth",
    "kube_context",
    "service_account",
    "service_account_namespace",
    "token_audiences",
    "token_expiration_seconds",
    "username",
    "dex_auth_type",
    "verify_tls",
    "ca_cert_path",
    "timeout_seconds",
)
# Keys of the secret `credentials` input.
CREDENTIAL_KEYS = ("kubeconfig", "token", "password")


@dataclass(frozen=True)
class KfpConnection:
    """Where and how to call the KFP v2beta1 API; one value is shared by all KFP resources.

    auth modes:
      - `serviceAccountToken` (recommended): a short-lived token for `service_account` in
        `service_account_namespace` (default: `namespace`) from the Kubernetes TokenRequest API,
        minted inside each provider call from `kubeconfig` (path or content, secret) and
        `kube_context`. Kubeflow's m2m RequestAuthentication accepts it at the ingress and KFP
        checks it with TokenReview for `token_audiences`.
      - `oidcToken`: an existing bearer token (`token`, secret), e.g. from a CI identity provider.
      - `none`: standalone KFP or a port-forward to `ml-pipeline`.
      - `dexPassword` (fallback): log in through Dex's password form as `username`/`password`.
    """

    endpoint: str
    namespace: str
    auth: AuthMode
    kubeconfig: pulumi.Input[str] | None = None
    kube_context: str | None = None
    service_account: str | None = None
    service_account_namespace: str | None = None
    token_audiences: tuple[str, ...] = (KFP_TOKEN_AUDIENCE,)
    token_expiration_seconds: int = 600
    token: pulumi.Input[str] | None = None
    username: str | None = None
    password: pulumi.Input[str] | None = None
    dex_auth_type: str = "local"
    verify_tls: bool = True
    ca_cert_path: str | None = None
    timeout_seconds: float = 30.0

    def to_inputs(self) -> dict[str, Any]:
        """The resource inputs: `connection` (plain) and `credentials` (one Pulumi secret)."""
        props = self.provider_props()
        return {"connection": props["connection"], "credentials": pulumi.Output.secret(props["credentials"])}

    def provider_props(self) -> dict[str, Any]:
        """`connection` and `credentials` as a provider receives them (secrets not wrapped).

        For calling providers directly (tests, tools); resources use `to_inputs`.
        """
        connection: dict[str, Any] = {key: getattr(self, key) for key in CONNECTION_KEYS}
        connection["token_audiences"] = list(self.token_audiences)
        credentials = {key: getattr(self, key) for key in CREDENTIAL_KEYS if getattr(self, key) is not None}
        return {"connection": connection, "credentials": credentials}

    @property
    def token_namespace(self) -> str:
        """The namespace of the service account whose token is requested."""
        return self.service_account_namespace or self.namespace

    def describe(self) -> str:
        """A one-line description for error messages (never includes a secret)."""
        return f"KFP at {self.endpoint} (namespace {self.namespace}, auth mode {self.auth!r})"


def connection_problems(connection: Mapping[str, Any], credentials: Mapping[str, Any]) -> list[str]:
    """Why these `connection`/`credentials` inputs cannot work, one reason per problem.

    Values that are still unknown (preview) are not judged.
    """
    problems: list[str] = []

    def missing(mapping: Mapping[str, Any], key: str) -> bool:
        value = mapping.get(key)
        return not is_unknown(value) and not value

    for key in ("endpoint", "namespace"):
        if missing(connection, key):
            problems.append(f"connection.{key} is required")
    endpoint = connection.get("endpoint")
    if (
        isinstance(endpoint, str)
        and endpoint
        and not is_unknown(endpoint)
        and not endpoint.startswith(_SCHEMES)
    ):
        problems.append(f"connection.endpoint must start with http:// or https://, got {endpoint!r}")
    auth = connection.get("auth")
    if is_unknown(auth):
        return problems
    if auth not in AUTH_MODES:
        problems.append(f"connection.auth must be one of {', '.join(AUTH_MODES)}, got {auth!r}")
        return problems
    if is_unknown(credentials):
        return problems
    if auth == "serviceAccountToken":
        if missing(credentials, "kubeconfig"):
            problems.append("auth serviceAccountToken needs credentials.kubeconfig (a path or its content)")
        if missing(connection, "service_account"):
            problems.append("auth serviceAccountToken needs connection.service_account")
    elif auth == "oidcToken" and missing(credentials, "token"):
        problems.append("auth oidcToken needs credentials.token")
    elif auth == "dexPassword":
        if missing(connection, "username"):
            problems.append("auth dexPassword needs connection.username")
        if missing(credentials, "password"):
            problems.append("auth dexPassword needs credentials.password")
    return problems


def connection_from_props(props: Mapping[str, Any]) -> KfpConnection:
    """Rebuild the connection inside a provider from a resource's inputs or outputs."""
    connection = dict(plain(props.get("connection")) or {})
    credentials = dict(plain(props.get("credentials")) or {})
    problems = connection_problems(connection, credentials)
    if problems:
        raise ValueError("invalid KFP connection: " + "; ".join(problems))
    audiences = connection.get("token_audiences") or [KFP_TOKEN_AUDIENCE]
    return KfpConnection(
        endpoint=str(connection["endpoint"]).rstrip("/"),
        namespace=str(connection["namespace"]),
        auth=cast(AuthMode, connection["auth"]),
        kubeconfig=credentials.get("kubeconfig"),
        kube_context=connection.get("kube_context"),
        service_account=connection.get("service_account"),
        service_account_namespace=connection.get("service_account_namespace"),
        token_audiences=tuple(str(a) for a in audiences),
        token_expiration_seconds=int(connection.get("token_expiration_seconds") or 600),
        token=credentials.get("token"),
        username=connection.get("username"),
        password=credentials.get("password"),
        dex_auth_type=str(connection.get("dex_auth_type") or "local"),
        verify_tls=bool(connection.get("verify_tls", True)),
        ca_cert_path=connection.get("ca_cert_path"),
        timeout_seconds=float(connection.get("timeout_seconds") or 30.0),
    )
