"""KfpConnection: the inputs it becomes, their validation, and the rebuild inside a provider."""

from __future__ import annotations

import pytest

from modules.kfp.connection import (
    KFP_TOKEN_AUDIENCE,
    KfpConnection,
    connection_from_props,
    connection_problems,
)


def test_provider_props_split_plain_settings_from_credentials() -> None:
    connection = KfpConnection(
        endpoint="https://kf.example.com/pipeline",
        namespace="team-a",
        auth="serviceAccountToken",
        kubeconfig="apiVersion: v1",
        kube_context="prod",
        service_account="default-editor",
    )
    wire = connection.provider_props()
    assert wire["credentials"] == {"kubeconfig": "apiVersion: v1"}
    assert (
        "kubeconfig" not in wire["connection"] and wire["connection"]["service_account"] == "default-editor"
    )
    assert wire["connection"]["token_audiences"] == [KFP_TOKEN_AUDIENCE]


def test_round_trip_through_provider_props_with_host_floats() -> None:
    connection = KfpConnection(
        endpoint="https://kf.example.com/pipeline/",
        namespace="team-a",
        auth="oidcToken",
        token="t",
        token_expiration_seconds=900,
    )
    wire = connection.provider_props()
    wire["connection"]["token_expiration_seconds"] = 900.0  # numbers cross the host as floats
    rebuilt = connection_from_props(wire)
    assert rebuilt.endpoint == "https://kf.example.com/pipeline"
    assert (
        rebuilt.token == "t"
        and rebuilt.token_expiration_seconds == 900
        and rebuilt.token_namespace == "team-a"
    )


@pytest.mark.parametrize(
    ("connection", "credentials", "problem"),
    [
        ({"endpoint": "", "namespace": "a", "auth": "none"}, {}, "connection.endpoint is required"),
        ({"endpoint": "kf:8888", "namespace": "a", "auth": "none"}, {}, "must start with http"),
        ({"endpoint": "http://kf", "namespace": "a", "auth": "basic"}, {}, "connection.auth must be one of"),
        (
            {"endpoint": "http://kf", "namespace": "a", "auth": "serviceAccountToken"},
            {},
            "needs credentials.kubeconfig",
        ),
        (
            {"endpoint": "http://kf", "namespace": "a", "auth": "dexPassword", "username": "u"},
            {},
            "needs credentials.password",
        ),
    ],
)
def test_connection_problems(connection: dict[str, str], credentials: dict[str, str], problem: str) -> None:
    assert any(problem in p for p in connection_problems(connection, credentials))


def test_unknown_values_are_not_judged() -> None:
    from modules.kfp.props import UNKNOWN

    assert connection_problems({"endpoint": UNKNOWN, "namespace": UNKNOWN, "auth": UNKNOWN}, {}) == []


def test_rebuilding_an_invalid_connection_fails_with_every_reason() -> None:
    with pytest.raises(ValueError, match=r"needs credentials\.token"):
        connection_from_props(
            {"connection": {"endpoint": "http://kf", "namespace": "a", "auth": "oidcToken"}}
        )


def test_describe_never_contains_secrets() -> None:
    connection = KfpConnection(
        endpoint="http://kf", namespace="a", auth="dexPassword", username="u", password="pw-123"
    )
    assert "pw-123" not in connection.describe() and "pw-123" not in repr(
        connection.provider_props()["connection"]
    )
