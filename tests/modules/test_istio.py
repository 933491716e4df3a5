"""Istio: the mesh config's ext-authz provider is upstream's, top-level istiod values reach the rendered
Deployment, the gateway's service account is the one Kubeflow's policies allow, releases install in order."""

from __future__ import annotations

from pathlib import Path

import pulumi
import pulumi_kubernetes as k8s
import pytest
import yaml

from kfstack.plan.binaries import ToolNotFound, find_tool
from kfstack.plan.helm_template import rendered_release
from modules.helm import HelmChart
from modules.istio import (
    GATEWAY_SERVICE_ACCOUNT,
    Istio,
    IstioArgs,
    gateway_values,
    istiod_values,
    nlb_annotations,
    oauth2_proxy_provider,
    oauth2_proxy_session_provider,
)
from tests.upstream import REPO_ROOT, upstream_object

ISTIO = "https://istio-release.storage.googleapis.com/charts"
CHARTS = REPO_ROOT.parent / "shared" / "charts"


def _istio() -> None:
    provider = k8s.Provider("k8s", kubeconfig="/dev/null", context="t")
    charts = [HelmChart(name, "1.29.0", ISTIO) for name in ("base", "istiod", "gateway")]
    Istio("istio", IstioArgs(*charts, "ClusterIP"), opts=pulumi.ResourceOptions(provider=provider))


def test_ext_authz_provider_equals_upstreams_mesh_config() -> None:
    config_map = upstream_object(
        "common_istio_istio-install_overlays_oauth2-proxy.yaml", "ConfigMap", "istio", "istio-system"
    )
    (upstream,) = yaml.safe_load(config_map["data"]["mesh"])["extensionProviders"]
    assert oauth2_proxy_provider() == upstream
    assert istiod_values()["meshConfig"]["extensionProviders"] == [upstream]


def test_the_session_provider_is_upstreams_without_writing_upstream_or_checking_authorization() -> None:
    upstream = oauth2_proxy_provider()["envoyExtAuthzHttp"]
    session = oauth2_proxy_session_provider()["envoyExtAuthzHttp"]
    # only fields Kubeflow's own provider uses (istiod parses them), with the same oauth2-proxy behind
    assert set(session) < set(upstream)
    assert (session["service"], session["port"]) == (upstream["service"], upstream["port"])
    assert session["headersToDownstreamOnDeny"] == upstream["headersToDownstreamOnDeny"]
    assert "headersToUpstreamOnAllow" not in session  # Istio: the request reaches the upstream as it came
    assert session["includeRequestHeadersInCheck"] == ["cookie"]
    names = [p["name"] for p in istiod_values(session_provider=True)["meshConfig"]["extensionProviders"]]
    assert names == ["oauth2-proxy", "oauth2-proxy-session"]


def test_gateway_service_account_is_the_principal_kubeflow_pipelines_allows() -> None:
    policy = upstream_object(
        "applications_pipeline_upstream_env_cert-manager_platform-agnostic-multi-user.yaml",
        "AuthorizationPolicy",
        "ml-pipeline-ui",
    )
    principals = policy["spec"]["rules"][0]["from"][0]["source"]["principals"]
    assert f"cluster.local/ns/istio-system/sa/{GATEWAY_SERVICE_ACCOUNT}" in principals
    assert gateway_values("ClusterIP", {})["serviceAccount"]["name"] == GATEWAY_SERVICE_ACCOUNT


def test_nlb_annotations_are_internal_only_when_asked() -> None:
    assert nlb_annotations(internal=True) == {
        "service.beta.kubernetes.io/aws-load-balancer-type": "nlb",
        "service.beta.kubernetes.io/aws-load-balancer-internal": "true",
    }
    assert nlb_annotations(internal=False) == {"service.beta.kubernetes.io/aws-load-balancer-type": "nlb"}


def test_releases_install_in_order_and_no_mesh_wide_peer_authentication(record) -> None:
    recording = record(_istio)
    base, istiod, gateway = (recording.named(f"istio-{n}") for n in ("base", "istiod", "gateway"))
    namespace = recording.named("ns-istio-system")
    assert namespace.inputs["metadata"] == {"name": "istio-system"}  # no istio-injection label
    assert namespace.urn in base.dependencies and base.urn in istiod.dependencies
    assert istiod.urn in gateway.dependencies
    assert gateway.inputs["name"] == "istio-ingressgateway" and gateway.inputs["namespace"] == "istio-system"
    # one in istio-system (the root namespace) would be mesh-wide: mutual TLS is set per namespace
    assert recording.find("kubernetes:security.istio.io/v1:PeerAuthentication") == []


def test_top_level_istiod_values_reach_the_rendered_deployment(record) -> None:
    if not CHARTS.is_dir():
        pytest.skip(f"packaged charts not found at {CHARTS}")
    try:
        helm = find_tool("helm")
    except ToolNotFound as exc:
        pytest.skip(str(exc))
    release = record(_istio).named("istio-istiod")
    rendered = rendered_release(release, Path(CHARTS), "1.34", helm)
    (deployment,) = [o.manifest for o in rendered.objects if o.manifest["kind"] == "Deployment"]
    (container,) = deployment["spec"]["template"]["spec"]["containers"]
    env = {e["name"]: e.get("value") for e in container["env"]}
    assert env["PILOT_JWT_PUB_KEY_REFRESH_INTERVAL"] == "1m" and env["ENABLE_DEBUG_ON_HTTP"] == "false"
    assert container["securityContext"]["seccompProfile"] == {"type": "RuntimeDefault"}
    (mesh_config,) = [
        o.manifest
        for o in rendered.objects
        if o.manifest["kind"] == "ConfigMap" and o.manifest["metadata"]["name"] == "istio"
    ]
    assert yaml.safe_load(mesh_config["data"]["mesh"])["extensionProviders"] == [oauth2_proxy_provider()]
