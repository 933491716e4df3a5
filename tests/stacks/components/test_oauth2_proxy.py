"""The oauth2-proxy builder: after Dex, the machine-to-machine issuer per cluster kind, the gateway
policies; no secret value in the plan or in what the charts render; network policies select the pods
the real charts render."""

from __future__ import annotations

from pathlib import Path

import pytest

from kfstack.plan.helm_template import RELEASE_TYPE, rendered_release
from stacks.config.secrets import SecretRef
from tests.conftest import REPO_ROOT

CHARTS = REPO_ROOT.parent / "shared" / "charts"
RA = "kubernetes:security.istio.io/v1:RequestAuthentication"
AP = "kubernetes:security.istio.io/v1:AuthorizationPolicy"
KNOWN = {
    "hash": "KNOWN-DEX-HASH-$2a$10$abc",
    "cookie": "KNOWN-COOKIE-SECRET-0123456789ab",
    "client": "KNOWN-CLIENT-SECRET",
    "github": "KNOWN-GITHUB-SECRET",
    "ldap": "KNOWN-LDAP-PASSWORD",
}


def _known_secrets(values: dict) -> None:
    auth = values["auth"]
    auth["dex"]["staticUsers"][0]["passwordHash"] = SecretRef("c-hash", plaintext=KNOWN["hash"])
    auth["oauth2Proxy"] = {
        "cookieSecret": SecretRef("c-cookie", plaintext=KNOWN["cookie"]),
        "clientSecret": SecretRef("c-client", plaintext=KNOWN["client"]),
    }
    auth["dex"]["connectors"] = [
        {
            "type": "github",
            "id": "github",
            "name": "GitHub",
            "clientId": "id",
            "clientSecret": SecretRef("c-gh", plaintext=KNOWN["github"]),
        },
        {
            "type": "ldap",
            "id": "corp",
            "name": "Corp",
            "host": "ldap:636",
            "bindDN": "cn=dex",
            "bindPassword": SecretRef("c-ldap", plaintext=KNOWN["ldap"]),
            "userSearchBaseDN": "ou=people",
        },
    ]


def test_oauth2_proxy_installs_after_dex_with_the_pinned_image(plan) -> None:
    result = plan("staging")
    (proxy,) = result.find(RELEASE_TYPE, "oauth2-proxy")
    (dex,) = result.find(RELEASE_TYPE, "dex")
    assert dex.urn in proxy.dependencies
    assert proxy.inputs["values"]["image"]["tag"] == "v7.14.3"
    assert (proxy.inputs["chart"], proxy.inputs["version"]) == ("oauth2-proxy", "10.1.4")
    assert "cookie_secure = true" in proxy.inputs["values"]["config"]["configFile"]
    (local,) = plan("local").find(RELEASE_TYPE, "oauth2-proxy")
    assert "cookie_secure = false" in local.inputs["values"]["config"]["configFile"]


def test_local_trusts_the_api_server_issuers_through_the_jwks_proxy(plan) -> None:
    result = plan("local")
    (m2m,) = [r for r in result.find(RA) if r.inputs["metadata"]["name"] == "m2m-token-issuer"]
    rules = m2m.inputs["spec"]["jwtRules"]
    assert [r["issuer"] for r in rules] == [
        "https://kubernetes.default.svc.cluster.local",
        "https://kubernetes.default.svc",
    ]
    assert {r["jwksUri"] for r in rules} == {
        "http://cluster-jwks-proxy.istio-system.svc.cluster.local/openid/v1/jwks"
    }
    (deployment,) = result.find("kubernetes:apps/v1:Deployment")
    assert deployment.inputs["metadata"]["name"] == "cluster-jwks-proxy"


def test_eks_trusts_the_clusters_oidc_issuer(plan) -> None:
    result = plan("dev")
    (cluster,) = result.find("aws:eks/cluster:Cluster")
    (m2m,) = [r for r in result.find(RA) if r.inputs["metadata"]["name"] == "m2m-token-issuer"]
    (rule,) = m2m.inputs["spec"]["jwtRules"]
    # the mock EKS cluster's identity issuer (stacks/components/cluster.py), the https URL
    assert rule["issuer"].startswith("https://oidc.eks.us-west-2.amazonaws.com/id/") and "jwksUri" not in rule
    assert cluster.inputs["name"] == "kfstack-dev"
    assert result.find("kubernetes:apps/v1:Deployment") == []


@pytest.mark.parametrize("environment", ["local", "dev", "staging", "prod"])
def test_gateway_policies_exist_and_wait_for_the_istio_crds(plan, environment: str) -> None:
    result = plan(environment)
    (base,) = result.find(RELEASE_TYPE, "istio-base")
    policies = {r.inputs["metadata"]["name"]: r for r in [*result.find(RA), *result.find(AP)]}
    assert set(policies) == {
        "dex-jwt",
        "m2m-token-issuer",
        "istio-ingressgateway-oauth2-proxy",
        "istio-ingressgateway-require-jwt",
    }
    assert all(base.urn in r.dependencies for r in policies.values())
    ext_authz = policies["istio-ingressgateway-oauth2-proxy"].inputs["spec"]
    acme = "/.well-known/acme-challenge/*" in ext_authz["rules"][0]["to"][0]["operation"]["notPaths"]
    assert acme == (environment == "dev")  # only dev uses ACME


def test_no_secret_value_reaches_the_plan_or_the_rendered_charts(plan_of, helm: Path) -> None:
    result = plan_of("dev", _known_secrets)
    # the known values do flow: into the two Secrets, which the plan records as secret
    secrets = {r.name: r for r in result.find("kubernetes:core/v1:Secret")}
    assert secrets["dex-config"].secret_paths and secrets["oauth2-proxy-credentials"].secret_paths
    text = result.json_text()
    leaked = [name for name, value in KNOWN.items() if value in text]
    assert leaked == [], f"secret values in the plan JSON: {leaked}"
    for release in result.find(RELEASE_TYPE):
        if release.inputs["chart"] not in (
            "dex",
            "oauth2-proxy",
            "cert-manager",
            "base",
            "istiod",
            "gateway",
        ):
            continue
        rendered = rendered_release(release, CHARTS, result.config.cluster.kubernetes_version, helm)
        output = repr([o.manifest for o in rendered.objects])
        assert [n for n, v in KNOWN.items() if v in output] == [], release.name
        assert rendered.placeholders == [], release.name  # no value was even a redacted secret


def _pod_labels(release, helm: Path, version: str) -> dict[str, str]:
    rendered = rendered_release(release, CHARTS, version, helm)
    (deployment,) = [o.manifest for o in rendered.objects if o.manifest["kind"] == "Deployment"]
    return deployment["spec"]["template"]["metadata"]["labels"]


def test_network_policies_select_the_pods_the_charts_render(plan, helm: Path) -> None:
    result = plan("local")
    version = result.config.cluster.kubernetes_version
    (dex,) = result.find(RELEASE_TYPE, "dex")
    (proxy,) = result.find(RELEASE_TYPE, "oauth2-proxy")
    dex_labels, proxy_labels = _pod_labels(dex, helm, version), _pod_labels(proxy, helm, version)
    policies = {
        r.inputs["metadata"]["name"]: r.inputs["spec"]
        for r in result.find("kubernetes:networking.k8s.io/v1:NetworkPolicy")
    }
    dex_policy = policies["allow-istio-and-oauth2-proxy"]
    assert dex_policy["podSelector"]["matchLabels"].items() <= dex_labels.items()
    oauth2_peer = dex_policy["ingress"][0]["from"][2]["podSelector"]["matchLabels"]
    assert oauth2_peer.items() <= proxy_labels.items()
    proxy_policy = policies["allow-istio-ingressgateway"]
    assert proxy_policy["podSelector"]["matchLabels"].items() <= proxy_labels.items()
