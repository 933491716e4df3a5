"""`kfstack:auth`: Dex users and connectors, oauth2-proxy. Every credential is a Pulumi secret."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Literal

from pydantic import Field
from pydantic.alias_generators import to_camel

from stacks.config.base import ConfigModel
from stacks.config.rules import Violation, violation
from stacks.config.secrets import Secret


class StaticUser(ConfigModel):
    """A Dex static user; the password is stored only as a bcrypt hash, and as a secret."""

    email: str = Field(
        pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$", description="The login (and `kubeflow-userid`)."
    )
    username: str
    password_hash: Secret = Field(description="bcrypt hash of the password, as a Pulumi secret.")


ConnectorType = Literal["oidc", "github", "gitlab", "google", "microsoft", "ldap"]


def _key(field_name: str) -> str:
    """The YAML key of a ConnectorConfig field."""
    return ConnectorConfig.model_fields[field_name].alias or to_camel(field_name)


class ConnectorConfig(ConfigModel):
    """An upstream identity provider for Dex. OAuth/OIDC types need a client id and secret; LDAP a bind."""

    type: ConnectorType
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    name: str
    issuer: str | None = Field(None, description="oidc: the provider's issuer URL.")
    client_id: str | None = None
    client_secret: Secret | None = Field(None, description="OAuth client secret, as a Pulumi secret.")
    host: str | None = Field(None, description="ldap: host:port of the directory.")
    bind_dn: str | None = Field(None, alias="bindDN", description="ldap: the DN Dex binds as.")
    bind_password: Secret | None = Field(None, description="ldap: the bind password, as a Pulumi secret.")
    user_search_base_dn: str | None = Field(
        None, alias="userSearchBaseDN", description="ldap: where users are searched."
    )
    settings: dict[str, Any] = Field(
        default_factory=dict,
        description="Further connector config passed to Dex as is (orgs, hostedDomains, ...); no secrets.",
    )

    def rule_problems(self) -> Iterator[Violation]:
        required = (
            ("host", "bind_dn", "bind_password", "user_search_base_dn")
            if self.type == "ldap"
            else ("client_id", "client_secret", *(("issuer",) if self.type == "oidc" else ()))
        )
        for name in required:
            if getattr(self, name) is None:
                what = "a Pulumi secret" if name in ("client_secret", "bind_password") else "set"
                yield violation(_key(name), f"required for a {self.type} connector ({what})")
        for name in ("clientSecret", "bindPassword", "password", "secret"):
            if name in self.settings:
                yield violation(("settings", name), "no secrets here: use clientSecret or bindPassword")


class DexConfig(ConfigModel):
    """Dex identity settings."""

    static_users: list[StaticUser] = Field(default_factory=list)
    connectors: list[ConnectorConfig] = Field(default_factory=list)

    def rule_problems(self) -> Iterator[Violation]:
        for field_name, key in (("static_users", "email"), ("connectors", "id")):
            seen: dict[str, int] = {}
            for index, entry in enumerate(getattr(self, field_name)):
                value = getattr(entry, key)
                if value in seen:
                    yield violation(
                        (to_camel(field_name), index, key),
                        f"duplicate; entry {seen[value]} has it too",
                        value,
                    )
                seen.setdefault(value, index)


class OAuth2ProxyConfig(ConfigModel):
    """oauth2-proxy in front of the Istio ingress gateway."""

    cookie_secret: Secret | None = Field(None, description="32-byte cookie secret (required outside local).")
    client_secret: Secret | None = Field(None, description="Dex client secret for oauth2-proxy.")


class AuthConfig(ConfigModel):
    """Authentication for the Kubeflow dashboard and the APIs behind it."""

    dex: DexConfig = Field(default_factory=DexConfig)
    oauth2_proxy: OAuth2ProxyConfig = Field(default_factory=OAuth2ProxyConfig)
