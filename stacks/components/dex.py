"""Dex: static users and connectors from `kfstack:auth`, behind the Kubeflow gateway. On local
without users it generates one (random password, bcrypt hash) and exports how to log in."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pulumi

from stacks.component_spec import ChartSource, ComponentSpec
from stacks.components.cluster import Cluster
from stacks.components.determined import login_gateway_apps
from stacks.components.istio import Mesh
from stacks.config.auth import ConnectorConfig
from stacks.context import StackContext
from stacks.mock_values import stable_hex

if TYPE_CHECKING:
    import pulumi_kubernetes as k8s

    from modules.dex import DexConnector

LOCAL_USER = ("user@example.com", "user")
"""The login local generates when no static user is configured (kubeflow/manifests' example user)."""


def _random_password_outputs(name: str, inputs: dict[str, Any]) -> dict[str, Any]:
    # Shaped like the provider's values: alphanumeric of the asked length, a bcrypt `$2a$10$` hash.
    length = int(inputs.get("length") or 16)
    result = (stable_hex(name, 64) * 2)[:length]
    return {"result": result, "bcryptHash": f"$2a$10${stable_hex(name + '/salt', 53)}"}


SPEC = ComponentSpec(
    name="dex",
    summary="Dex OIDC provider: static users, connectors, the oauth2-proxy client (Helm)",
    key="dex",
    charts=(ChartSource("dex", pinned_by="dex"),),
    mock_outputs={"random:index/randomPassword:RandomPassword": _random_password_outputs},
)


@dataclass(frozen=True)
class Login:
    """What oauth2-proxy needs from Dex."""

    release: k8s.helm.v3.Release
    client_secret: pulumi.Output[str]
    """The secret of Dex's oauth2-proxy client."""


def dex_connector(connector: ConnectorConfig, callback: str) -> DexConnector:
    """A configured connector as Dex's connector config; the client secret or bind password stays a secret."""
    from modules.dex import DexConnector

    if connector.type == "ldap":
        config: dict[str, Any] = {
            "host": connector.host,
            "bindDN": connector.bind_dn,
            "userSearch": {
                "baseDN": connector.user_search_base_dn,
                "username": "mail",
                "idAttr": "DN",
                "emailAttr": "mail",
                "nameAttr": "cn",
            },
        }
        secret = connector.bind_password
        secret_key = "bindPW"
    else:
        config = {"clientID": connector.client_id, "redirectURI": callback}
        if connector.issuer is not None:
            config["issuer"] = connector.issuer
        secret = connector.client_secret
        secret_key = "clientSecret"
    assert secret is not None  # the config requires it
    return DexConnector(
        type=connector.type,
        id=connector.id,
        name=connector.name,
        config={**config, **connector.settings},
        secrets={secret_key: secret.as_output()},
    )


def build_dex(stack: StackContext, cluster: Cluster, mesh: Mesh | None) -> Login | None:
    """Dex after Istio (its route and policies); None when off."""
    config = stack.config
    if not config.components.enabled("dex"):
        return None
    assert mesh is not None  # the config requires Istio with Dex
    from modules.credentials import random_secret
    from modules.dex import Dex, DexArgs, DexUser

    opts = pulumi.ResourceOptions.merge(
        cluster.options(), pulumi.ResourceOptions(depends_on=[mesh.base, mesh.gateway_release, mesh.gateway])
    )
    auth = config.auth
    users = [DexUser(u.email, u.username, u.password_hash.as_output()) for u in auth.dex.static_users]
    if not users and config.tier == "local":
        password = random_secret("local-login-password", 20, opts)
        email, username = LOCAL_USER
        users = [DexUser(email, username, pulumi.Output.secret(password.bcrypt_hash))]
        pulumi.export("loginUser", email)
        pulumi.export("loginPassword", pulumi.Output.secret(password.result))
    configured = auth.oauth2_proxy.client_secret
    if configured is not None:
        client_secret = configured.as_output()
    else:  # local only: the config requires it elsewhere
        client_secret = pulumi.Output.secret(random_secret("oauth2-proxy-client-secret", 32, opts).result)
    callback = f"{mesh.dashboard_url}dex/callback"
    connectors = [dex_connector(c, callback) for c in auth.dex.connectors]
    (chart,) = SPEC.charts
    pin = config.components.pin("dex")
    assert pin.image_tag is not None
    dex = Dex(
        "dex",
        DexArgs(
            chart.pinned(config.components),
            pin.image_tag,
            users,
            connectors,
            client_secret,
            config.images.mirror(),
            login_gateway_apps(config),
        ),
        opts=opts,
    )
    pulumi.export("loginUrl", mesh.dashboard_url)
    pulumi.export("loginWith", login_methods([u.email for u in users], [c.name for c in auth.dex.connectors]))
    return Login(dex.release, client_secret)


def login_methods(emails: Sequence[str], connectors: Sequence[str]) -> str:
    """How users log in at `loginUrl`: the static users' e-mails (never a password) and the connectors."""
    ways = [f"Dex user {email}" for email in emails] + [f"{name} (Dex connector)" for name in connectors]
    return "; ".join(ways)
