"""The Dex builder: configured users and connectors (secrets only in the config Secret), a generated
login on local, ordering after Istio, outputs; off removes Dex and oauth2-proxy."""

from __future__ import annotations

from typing import Any

import pulumi
import pytest

from stacks.components.dex import login_methods
from stacks.config.errors import ConfigError
from stacks.config.secrets import SecretRef
from stacks.config.versions import dependents_of

RELEASE = "kubernetes:helm.sh/v3:Release"
RANDOM = "random:index/randomPassword:RandomPassword"


def _resolved(output: pulumi.Output[Any]) -> tuple[Any, bool]:
    """(value, is secret) of an Output the finished program resolved."""
    data = output._data.result()  # the SDK keeps the resolved value and secretness here
    return data.value, data.is_secret


def test_local_generates_a_login_and_exports_it_as_a_secret(plan_of, exports) -> None:
    result = plan_of("local")
    # Grafana's admin password is generated everywhere (tests/stacks/components/test_monitoring.py)
    assert {r.name for r in result.find(RANDOM) if r.name != "grafana-admin-password"} == {
        "local-login-password",
        "oauth2-proxy-client-secret",
        "oauth2-proxy-cookie-secret",
    }
    assert exports["loginUser"] == "user@example.com"
    assert exports["loginUrl"] == "http://localhost:8080/"
    password, secret = _resolved(exports["loginPassword"])
    assert secret and len(password) == 20


def test_the_mock_random_password_is_shaped_like_the_real_one(plan) -> None:
    from stacks.components.dex import SPEC

    outputs = SPEC.mock_outputs[RANDOM]("oauth2-proxy-cookie-secret", {"length": 32})
    assert len(outputs["result"]) == 32 and outputs["result"].isalnum()
    assert outputs["bcryptHash"].startswith("$2a$10$") and len(outputs["bcryptHash"]) == 60


def test_configured_users_generate_nothing(plan_of, exports) -> None:
    result = plan_of("dev")
    # the generated values are MLflow's database password and Grafana's admin password, not logins
    assert sorted(r.name for r in result.find(RANDOM)) == [
        "grafana-admin-password",
        "mlflow-database-password",
    ]
    assert "loginPassword" not in exports and exports["loginUrl"] == "https://kubeflow.dev.example.com/"
    assert exports["loginWith"] == "Dex user platform-admin@example.com"


def test_login_methods_name_users_and_connectors() -> None:
    assert login_methods(["a@example.com"], ["GitHub"]) == "Dex user a@example.com; GitHub (Dex connector)"


def test_dex_runs_the_pinned_image_after_istio(plan) -> None:
    result = plan("prod")
    (dex,) = result.find(RELEASE, "dex")
    assert (dex.inputs["chart"], dex.inputs["version"], dex.inputs["namespace"]) == ("dex", "0.24.0", "auth")
    assert dex.inputs["values"]["image"]["tag"] == result.config.components.pin("dex").image_tag == "v2.45.0"
    (gateway,) = result.find(RELEASE, "istio-gateway")
    (base,) = result.find(RELEASE, "istio-base")
    assert {gateway.urn, base.urn} <= set(dex.dependencies)


def _with_connectors(values: dict) -> None:
    values["auth"]["dex"]["connectors"] = [
        {
            "type": "github",
            "id": "github",
            "name": "GitHub",
            "clientId": "gh-id",
            "clientSecret": SecretRef("c1", plaintext="KNOWN-GITHUB-SECRET"),
            "settings": {"orgs": [{"name": "acme"}]},
        },
        {
            "type": "ldap",
            "id": "corp",
            "name": "Corp",
            "host": "ldap.example.com:636",
            "bindDN": "cn=dex",
            "bindPassword": SecretRef("c2", plaintext="KNOWN-LDAP-PASSWORD"),
            "userSearchBaseDN": "ou=people",
        },
    ]


def test_connectors_become_dex_connectors_with_their_secrets_inside(env_config, record) -> None:
    from stacks.components.dex import dex_connector

    config = env_config("dev", _with_connectors)
    built = []

    def program() -> None:  # secrets become Outputs, which need the (mock) runtime
        import pulumi_kubernetes as k8s

        k8s.core.v1.ConfigMap("anchor")
        built.extend(
            dex_connector(c, "https://kubeflow.dev.example.com/dex/callback")
            for c in config.auth.dex.connectors
        )

    record(program)
    github, ldap = built
    assert github.config == {
        "clientID": "gh-id",
        "redirectURI": "https://kubeflow.dev.example.com/dex/callback",
        "orgs": [{"name": "acme"}],
    }
    assert set(github.secrets) == {"clientSecret"} and set(ldap.secrets) == {"bindPW"}
    assert (
        ldap.config["host"] == "ldap.example.com:636" and ldap.config["userSearch"]["baseDN"] == "ou=people"
    )


def test_off_removes_dex_and_oauth2_proxy(plan_of) -> None:
    def off(values: dict) -> None:
        for key in ("dex", *dependents_of("dex")):
            values["components"][key] = {"enabled": False}

    result = plan_of("dev", off)
    assert result.find("kfstack:auth:Dex") == [] and result.find("kfstack:auth:OAuth2Proxy") == []
    assert result.find("kfstack:auth:MeshAuth") == []
    assert result.find("kfstack:istio:Istio")


def test_off_with_oauth2_proxy_on_is_rejected(env_config) -> None:
    def dex_off(values: dict) -> None:
        values["components"]["dex"] = {"enabled": False}

    with pytest.raises(ConfigError, match=r"dex.enabled.*needed by oauth2Proxy"):
        env_config("dev", dex_off)
