"""oauth2-proxy: the settings are kubeflow/manifests' oauth2_proxy.cfg plus its parameters, route and
network policies equal upstream's, and the credentials live in the Secret the chart is pointed at."""

from __future__ import annotations

import tomllib

import pulumi
import pulumi_kubernetes as k8s

from modules.helm import HelmChart
from modules.oauth2_proxy import (
    COOKIE_SECRET_LENGTH,
    OAUTH2_PROXY_CREDENTIALS,
    OAuth2Proxy,
    OAuth2ProxyArgs,
    gateway_only_policy,
    oauth2_proxy_config_file,
    oauth2_proxy_route,
)
from tests.upstream import kubeflow_dir, upstream_object

M2M_KIND = "common_oauth2-proxy_overlays_m2m-dex-and-kind.yaml"


def test_config_file_is_upstreams_with_its_parameters() -> None:
    upstream = tomllib.loads((kubeflow_dir() / "common/oauth2-proxy/base/oauth2_proxy.cfg").read_text())
    ours = tomllib.loads(oauth2_proxy_config_file(cookie_secure=True, allow_self_signed_issuer=False))
    # the sign-in logo comes from upstream's theme ConfigMap, which kfstack does not ship
    assert {k: v for k, v in upstream.items() if k != "custom_sign_in_logo"} == {
        k: v for k, v in ours.items() if k in upstream
    }
    # upstream's parameters (FORCE_HTTPS, ALLOW_SELF_SIGNED_ISSUER, ENABLE_M2M_TOKENS) as settings
    assert set(ours) - set(upstream) == {
        "cookie_secure",
        "ssl_insecure_skip_verify",
        "skip_jwt_bearer_tokens",
    }
    assert ours["skip_jwt_bearer_tokens"] is True and ours["cookie_secure"] is True


def test_route_and_network_policy_equal_upstreams() -> None:
    assert oauth2_proxy_route() == upstream_object(M2M_KIND, "VirtualService", "oauth2-proxy")["spec"]
    upstream = upstream_object(M2M_KIND, "NetworkPolicy", "allow-istio-ingressgateway")["spec"]
    ours = gateway_only_policy()
    assert ours["ingress"][0]["from"][0]["podSelector"] == upstream["ingress"][0]["from"][0]["podSelector"]
    assert ours["policyTypes"] == upstream["policyTypes"]


def test_credentials_are_in_the_existing_secret_and_not_in_values(record) -> None:
    def program() -> None:
        provider = k8s.Provider("k8s", kubeconfig="/dev/null", context="t")
        args = OAuth2ProxyArgs(
            chart=HelmChart("oauth2-proxy", "10.1.4", "https://oauth2-proxy.github.io/manifests"),
            image_tag="v7.14.3",
            client_secret=pulumi.Output.secret("KNOWN-CLIENT"),
            cookie_secret=pulumi.Output.secret("K" * COOKIE_SECRET_LENGTH),
            cookie_secure=False,
            allow_self_signed_issuer=True,
        )
        OAuth2Proxy("oauth2-proxy", args, opts=pulumi.ResourceOptions(provider=provider))

    recording = record(program)
    secret = recording.named("oauth2-proxy-credentials")
    assert secret.inputs["stringData"] == "[secret]"
    release = recording.one("kubernetes:helm.sh/v3:Release")
    assert "KNOWN-" not in repr(release.inputs) and "K" * COOKIE_SECRET_LENGTH not in repr(release.inputs)
    assert release.inputs["values"]["config"]["existingSecret"] == OAUTH2_PROXY_CREDENTIALS
    assert release.inputs["values"]["image"] == {"tag": "v7.14.3"}
    assert secret.urn in release.dependencies
