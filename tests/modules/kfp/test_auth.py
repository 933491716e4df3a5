"""Credentials per auth mode: TokenRequest (fake interface and the real kubernetes client), OIDC, Dex."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest

from modules.kfp.auth import Credentials, KubernetesTokenRequester, credentials_for, kubeconfig_content
from modules.kfp.connection import KFP_TOKEN_AUDIENCE, KfpConnection
from modules.kfp.errors import KfpAuthError
from modules.kfp.pipeline import PipelineProvider
from tests.modules.kfp.fake_identity import SESSION_COOKIE, DexLogin, FakeKubeApi
from tests.modules.kfp.kfp_api_server import KfpApiServer
from tests.modules.kfp.support import NAMESPACE, props


class RecordingRequester:
    """A fake of the TokenRequest interface."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, str | None, str, str, tuple[str, ...], int]] = []

    def request_token(
        self,
        kubeconfig: str,
        context: str | None,
        namespace: str,
        service_account: str,
        audiences: Sequence[str],
        expiration_seconds: int,
    ) -> str:
        self.calls.append(
            (kubeconfig, context, namespace, service_account, tuple(audiences), expiration_seconds)
        )
        return f"token-{len(self.calls)}"


@pytest.fixture
def kube() -> Iterator[FakeKubeApi]:
    api = FakeKubeApi()
    yield api
    api.stop()


def sa_connection(endpoint: str, kubeconfig: str, **overrides: object) -> KfpConnection:
    values: dict[str, object] = {
        "endpoint": endpoint,
        "namespace": NAMESPACE,
        "auth": "serviceAccountToken",
        "kubeconfig": kubeconfig,
        "kube_context": "kfstack",
        "service_account": "default-editor",
        **overrides,
    }
    return KfpConnection(**values)  # type: ignore[arg-type]


def test_service_account_token_uses_the_named_account_audience_and_expiry() -> None:
    requester = RecordingRequester()
    connection = sa_connection(
        "http://kfp", "/ci/kubeconfig", service_account_namespace="kubeflow", token_expiration_seconds=900
    )
    assert credentials_for(connection, requester) == Credentials(authorization="Bearer token-1")
    assert requester.calls == [
        ("/ci/kubeconfig", "kfstack", "kubeflow", "default-editor", (KFP_TOKEN_AUDIENCE,), 900)
    ]


def test_each_call_mints_a_fresh_token() -> None:
    requester = RecordingRequester()
    connection = sa_connection("http://kfp", "/ci/kubeconfig")
    tokens = {credentials_for(connection, requester).authorization for _ in range(2)}
    assert tokens == {"Bearer token-1", "Bearer token-2"}


def test_oidc_token_and_none() -> None:
    oidc = KfpConnection(endpoint="http://kfp", namespace=NAMESPACE, auth="oidcToken", token="abc")
    assert credentials_for(oidc) == Credentials(authorization="Bearer abc")
    assert (
        credentials_for(KfpConnection(endpoint="http://kfp", namespace=NAMESPACE, auth="none"))
        == Credentials()
    )


def test_kubeconfig_content_versus_path() -> None:
    assert kubeconfig_content("apiVersion: v1\nclusters: []\n") == {"apiVersion": "v1", "clusters": []}
    assert kubeconfig_content("~/.kube/config") is None
    assert kubeconfig_content("/etc/kube/config") is None


def test_real_kubernetes_client_requests_the_token_from_kubeconfig_content(kube: FakeKubeApi) -> None:
    token = KubernetesTokenRequester().request_token(
        kube.kubeconfig(), "kfstack", NAMESPACE, "default-editor", [KFP_TOKEN_AUDIENCE], 600
    )
    assert token == f"sa-{NAMESPACE}-default-editor-1"
    assert kube.requests[0]["body"]["spec"] == {"audiences": [KFP_TOKEN_AUDIENCE], "expirationSeconds": 600}
    assert kube.requests[0]["body"]["kind"] == "TokenRequest"


def test_real_kubernetes_client_reads_a_kubeconfig_path(kube: FakeKubeApi, tmp_path: Path) -> None:
    path = tmp_path / "config"
    path.write_text(kube.kubeconfig())
    token = KubernetesTokenRequester().request_token(str(path), "kfstack", "ns", "sa", ["aud"], 3600)
    assert token == "sa-ns-sa-1"


def test_token_request_failure_names_the_account_and_context(kube: FakeKubeApi) -> None:
    broken = kube.kubeconfig().replace("kube-admin-token", "not-admin")
    with pytest.raises(
        KfpAuthError,
        match=r"TokenRequest for service account team-a/default-editor failed with HTTP 401.*'kfstack'",
    ):
        KubernetesTokenRequester().request_token(broken, "kfstack", NAMESPACE, "default-editor", ["aud"], 600)


def test_provider_authenticates_with_a_minted_service_account_token(
    kube: FakeKubeApi, kfp_server: KfpApiServer
) -> None:
    kfp_server.require_bearer(f"sa-{NAMESPACE}-default-editor-1", f"sa-{NAMESPACE}-default-editor-2")
    connection = sa_connection(kfp_server.url, kube.kubeconfig())

    created = PipelineProvider().create(props(connection, name="retrain"))
    PipelineProvider().read(created.id, created.outs)

    assert created.id in kfp_server.store.pipelines
    assert kube.issued == [f"sa-{NAMESPACE}-default-editor-1", f"sa-{NAMESPACE}-default-editor-2"]
    assert all(token not in repr(created.outs) for token in kube.issued)  # tokens never reach state


def test_dex_password_login_gets_the_session_cookie_and_calls_the_api(kfp_server: KfpApiServer) -> None:
    dex = DexLogin(username="ci@example.com", password="hunter2")
    kfp_server.login_handler = dex
    kfp_server.require_cookie(SESSION_COOKIE, dex.session)
    connection = KfpConnection(
        endpoint=f"{kfp_server.url}/pipeline",
        namespace=NAMESPACE,
        auth="dexPassword",
        username="ci@example.com",
        password="hunter2",
    )

    assert credentials_for(connection) == Credentials(cookie=f"{SESSION_COOKIE}={dex.session}")
    created = PipelineProvider().create(props(connection, name="retrain"))

    assert created.id in kfp_server.store.pipelines and dex.logins == 2
    assert "hunter2" not in repr({k: v for k, v in created.outs.items() if k != "credentials"})


def test_dex_wrong_password_is_a_clear_auth_error(kfp_server: KfpApiServer) -> None:
    kfp_server.login_handler = DexLogin(username="ci@example.com", password="hunter2")
    connection = KfpConnection(
        endpoint=f"{kfp_server.url}/pipeline",
        namespace=NAMESPACE,
        auth="dexPassword",
        username="ci@example.com",
        password="wrong",
    )
    with pytest.raises(KfpAuthError, match=r"Dex did not accept the login for 'ci@example\.com'"):
        credentials_for(connection)


def test_dex_against_an_endpoint_without_login_says_so(kfp_server: KfpApiServer) -> None:
    connection = KfpConnection(
        endpoint=f"{kfp_server.url}/apis/v2beta1/healthz",
        namespace=NAMESPACE,
        auth="dexPassword",
        username="u",
        password="p",
    )
    with pytest.raises(KfpAuthError, match="did not redirect to a login page"):
        credentials_for(connection)
