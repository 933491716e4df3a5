"""Retries with backoff on 5xx and connection errors; clear 401/403 errors naming the auth mode."""

from __future__ import annotations

import socket

import pytest

from modules.kfp.connection import KfpConnection
from modules.kfp.errors import KfpApiError, KfpAuthError, KfpError, RetryPolicy
from modules.kfp.experiment import ExperimentProvider
from modules.kfp.pipeline import PipelineProvider
from tests.modules.kfp.kfp_api_server import KfpApiServer
from tests.modules.kfp.support import NAMESPACE, Sleeps, props


def test_delays_grow_exponentially_and_are_capped() -> None:
    policy = RetryPolicy(attempts=6, base_delay=0.5, max_delay=3.0)
    assert [policy.delay(n) for n in range(5)] == [0.5, 1.0, 2.0, 3.0, 3.0]


def test_injected_5xx_are_retried_with_backoff_then_succeed(
    kfp_server: KfpApiServer, connection: KfpConnection, retry: RetryPolicy, sleeps: Sleeps
) -> None:
    kfp_server.fail_next(2, status=503, method="POST", path_contains="/pipelines")
    created = PipelineProvider(retry).create(props(connection, name="retrain"))
    assert created.id in kfp_server.store.pipelines
    assert [c.status for c in kfp_server.calls("PipelineService_CreatePipeline")] == [503, 503, 200]
    assert sleeps.delays == [0.5, 1.0]


def test_retries_are_bounded(
    kfp_server: KfpApiServer, connection: KfpConnection, retry: RetryPolicy, sleeps: Sleeps
) -> None:
    kfp_server.fail_next(100, status=500, path_contains="/experiments")
    with pytest.raises(KfpApiError, match=r"HTTP 500.*gave up after 4 attempts") as raised:
        ExperimentProvider(retry).create(props(connection, name="nightly"))
    assert raised.value.status == 500
    assert len(kfp_server.calls("ExperimentService_ListExperiments")) == 4
    assert sleeps.delays == [0.5, 1.0, 2.0]
    assert kfp_server.store.experiments == {}


def test_4xx_is_an_answer_not_retried(
    kfp_server: KfpApiServer, connection: KfpConnection, retry: RetryPolicy, sleeps: Sleeps
) -> None:
    kfp_server.fail_next(1, status=400, method="POST", path_contains="/pipelines")
    with pytest.raises(KfpApiError, match="HTTP 400"):
        PipelineProvider(retry).create(props(connection, name="retrain"))
    assert sleeps.delays == []


def test_a_lost_answer_after_the_server_created_the_object_is_not_created_twice(
    kfp_server: KfpApiServer, connection: KfpConnection, retry: RetryPolicy
) -> None:
    kfp_server.fail_next(1, status=504, method="POST", path_contains="/pipelines", after_processing=True)
    created = PipelineProvider(retry).create(props(connection, name="retrain"))
    assert list(kfp_server.store.pipelines) == [created.id]
    assert len(kfp_server.calls("PipelineService_CreatePipeline")) == 1


def test_slow_answers_time_out_and_are_retried(kfp_server: KfpApiServer, retry: RetryPolicy) -> None:
    connection = KfpConnection(endpoint=kfp_server.url, namespace=NAMESPACE, auth="none", timeout_seconds=0.2)
    kfp_server.slow_next(1, 1.0, method="GET", path_contains="/pipelines/names/")
    created = PipelineProvider(retry).create(props(connection, name="retrain"))
    assert created.id in kfp_server.store.pipelines
    assert len(kfp_server.calls("PipelineService_GetPipelineByName")) == 2


def test_connection_refused_is_retried_then_reported(retry: RetryPolicy, sleeps: Sleeps) -> None:
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    connection = KfpConnection(endpoint=f"http://127.0.0.1:{port}", namespace=NAMESPACE, auth="none")
    with pytest.raises(KfpError, match=r"unreachable after 4 attempts"):
        PipelineProvider(retry).create(props(connection, name="retrain"))
    assert len(sleeps.delays) == 3


@pytest.mark.parametrize(
    ("auth", "extra", "hint"),
    [
        ("oidcToken", {"token": "expired"}, "check that the token is valid and unexpired"),
        ("none", {}, "the endpoint requires authentication"),
    ],
)
def test_401_is_one_clear_error_naming_the_auth_mode(
    kfp_server: KfpApiServer, retry: RetryPolicy, sleeps: Sleeps, auth: str, extra: dict[str, str], hint: str
) -> None:
    kfp_server.require_bearer("the-right-token")
    connection = KfpConnection(endpoint=kfp_server.url, namespace=NAMESPACE, auth=auth, **extra)  # type: ignore[arg-type]
    with pytest.raises(KfpAuthError) as raised:
        PipelineProvider(retry).create(props(connection, name="retrain"))
    message = str(raised.value)
    assert "401 Unauthorized" in message and f"auth mode {auth!r}" in message and hint in message
    assert "expired" not in message.replace("unexpired", "")  # the token itself is never echoed
    assert sleeps.delays == [] and len(kfp_server.log) == 1


def test_403_names_the_service_account_and_namespace_to_check(
    kfp_server: KfpApiServer, retry: RetryPolicy
) -> None:
    kfp_server.fail_next(1, status=403)
    connection = KfpConnection(endpoint=kfp_server.url, namespace=NAMESPACE, auth="oidcToken", token="t")
    with pytest.raises(KfpAuthError, match=r"403 Forbidden.*profile namespace team-a"):
        PipelineProvider(retry).read("some-id", props(connection, name="retrain"))
