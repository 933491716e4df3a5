"""`kfstack:auth`: Dex static users and connectors, each credential a secret, each problem at its key path."""

from __future__ import annotations

import pytest

from stacks.config.secrets import SecretRef

SECRET = SecretRef("v1:abc")


def dex(**fields):
    return {"dex": fields}


def test_a_static_user_without_a_hash_is_rejected(problems) -> None:
    found = problems(auth=dex(staticUsers=[{"email": "a@example.com", "username": "a"}]))
    assert found == {"kfstack:auth.dex.staticUsers[0].passwordHash": "required value is missing"}


def test_a_static_user_hash_in_plain_text_is_rejected(problems) -> None:
    users = [{"email": "a@example.com", "username": "a", "passwordHash": "$2y$10$abc"}]
    found = problems(auth=dex(staticUsers=users))
    assert (
        "plain-text value where a secret is required" in found["kfstack:auth.dex.staticUsers[0].passwordHash"]
    )


def test_a_static_user_email_must_be_an_email(problems) -> None:
    found = problems(auth=dex(staticUsers=[{"email": "admin", "username": "a", "passwordHash": SECRET}]))
    assert list(found) == ["kfstack:auth.dex.staticUsers[0].email"]


def test_duplicate_static_users_and_connector_ids_are_rejected(problems) -> None:
    user = {"email": "a@example.com", "username": "a", "passwordHash": SECRET}
    github = {"type": "github", "id": "gh", "name": "GitHub", "clientId": "id", "clientSecret": SECRET}
    found = problems(auth=dex(staticUsers=[user, user], connectors=[github, github]))
    assert found == {
        "kfstack:auth.dex.staticUsers[1].email": "duplicate; entry 0 has it too",
        "kfstack:auth.dex.connectors[1].id": "duplicate; entry 0 has it too",
    }


@pytest.mark.parametrize("kind", ["github", "google", "gitlab", "microsoft"])
def test_an_oauth_connector_without_a_client_secret_is_rejected(problems, kind: str) -> None:
    connector = {"type": kind, "id": "idp", "name": "IdP", "clientId": "client"}
    found = problems(auth=dex(connectors=[connector]))
    assert found == {
        "kfstack:auth.dex.connectors[0].clientSecret": f"required for a {kind} connector (a Pulumi secret)"
    }


def test_an_oidc_connector_needs_its_issuer_client_id_and_secret(problems) -> None:
    found = problems(auth=dex(connectors=[{"type": "oidc", "id": "okta", "name": "Okta"}]))
    assert found == {
        "kfstack:auth.dex.connectors[0].clientId": "required for a oidc connector (set)",
        "kfstack:auth.dex.connectors[0].clientSecret": "required for a oidc connector (a Pulumi secret)",
        "kfstack:auth.dex.connectors[0].issuer": "required for a oidc connector (set)",
    }


def test_an_ldap_connector_needs_a_bind_password_secret(problems) -> None:
    ldap = {
        "type": "ldap",
        "id": "corp",
        "name": "Corp",
        "host": "ldap.corp:636",
        "bindDN": "cn=dex",
        "userSearchBaseDN": "ou=people,dc=corp",
    }
    found = problems(auth=dex(connectors=[ldap]))
    assert found == {
        "kfstack:auth.dex.connectors[0].bindPassword": "required for a ldap connector (a Pulumi secret)"
    }
    assert problems(auth=dex(connectors=[{**ldap, "bindPassword": SECRET}])) == {}


def test_a_connector_client_secret_in_plain_text_is_rejected(problems) -> None:
    github = {"type": "github", "id": "gh", "name": "GitHub", "clientId": "id", "clientSecret": "s3cr3t"}
    found = problems(auth=dex(connectors=[github]))
    assert (
        "plain-text value where a secret is required" in found["kfstack:auth.dex.connectors[0].clientSecret"]
    )


def test_secrets_cannot_hide_in_free_form_connector_settings(problems) -> None:
    github = {
        "type": "github",
        "id": "gh",
        "name": "GitHub",
        "clientId": "id",
        "clientSecret": SECRET,
        "settings": {"clientSecret": "s3cr3t", "orgs": [{"name": "acme"}]},
    }
    found = problems(auth=dex(connectors=[github]))
    assert found == {
        "kfstack:auth.dex.connectors[0].settings.clientSecret": "no secrets here: use clientSecret or bindPassword"
    }
