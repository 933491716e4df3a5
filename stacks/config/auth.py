"""`kfstack:auth`: Dex users and connectors, oauth2-proxy. Every credential is a Pulumi secret."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from stacks.config.base import ConfigModel
from stacks.config.secrets import Secret


class StaticUser(ConfigModel):
    """A Dex static user; the password is stored only as a bcrypt hash, and as a secret."""

    email: str = Field(pattern=r"^[^@\s]+@[^@\s]+$")
    username: str
    password_hash: Secret = Field(description="bcrypt hash of the password, as a Pulumi secret.")


class OidcConnector(ConfigModel):
    """An upstream identity provider for Dex."""

    type: Literal["oidc", "github", "gitlab", "google", "microsoft", "ldap"]
    id: str
    name: str
    issuer: str | None = None
    client_id: str
    client_secret: Secret


class DexConfig(ConfigModel):
    """Dex identity settings."""

    static_users: list[StaticUser] = Field(default_factory=list)
    connectors: list[OidcConnector] = Field(default_factory=list)


class OAuth2ProxyConfig(ConfigModel):
    """oauth2-proxy in front of the Istio ingress gateway."""

    cookie_secret: Secret | None = Field(None, description="32-byte cookie secret (required outside local).")
    client_secret: Secret | None = Field(None, description="Dex client secret for oauth2-proxy.")


class AuthConfig(ConfigModel):
    """Authentication for the Kubeflow dashboard and the APIs behind it."""

    dex: DexConfig = Field(default_factory=DexConfig)
    oauth2_proxy: OAuth2ProxyConfig = Field(default_factory=OAuth2ProxyConfig)
