"""Gateway authentication objects equal kubeflow/manifests 26.03's (but the intended issuer patches), and
their selectors match the pods the real gateway chart renders."""

from __future__ import annotations

from pathlib import Path

import pulumi
import pulumi_kubernetes as k8s
import pytest

from kfstack.plan.binaries import ToolNotFound, find_tool
from kfstack.plan.helm_template import rendered_release
from modules.helm import HelmChart
from modules.istio import Istio, IstioArgs
from modules.mesh_auth import (
    IN_CLUSTER_ISSUERS,
    JWKS_PROXY_LABELS,
    JWKS_PROXY_URI,
    MeshAuth,
    MeshAuthArgs,
    TokenIssuer,
    dex_jwt_spec,
    ext_authz_spec,
    jwks_proxy_container,
    m2m_spec,
    require_jwt_spec,
)
from tests.upstream import REPO_ROOT, upstream_object

KIND = "common_oauth2-proxy_overlays_m2m-dex-and-kind.yaml"
EKS = "common_oauth2-proxy_overlays_m2m-dex-and-eks.yaml"
CHARTS = REPO_ROOT.parent / "shared" / "charts"
ISTIO = "https://istio-release.storage.googleapis.com/charts"


def test_dex_jwt_and_policies_equal_upstream() -> None:
    assert dex_jwt_spec() == upstream_object(KIND, "RequestAuthentication", "dex-jwt")["spec"]
    upstream_ext_authz = upstream_object(KIND, "AuthorizationPolicy", "istio-ingressgateway-oauth2-proxy")
    assert ext_authz_spec(()) == upstream_ext_authz["spec"]
    upstream_deny = upstream_object(KIND, "AuthorizationPolicy", "istio-ingressgateway-require-jwt")
    assert require_jwt_spec(()) == upstream_deny["spec"]


def test_public_paths_are_added_to_both_policies_exceptions_only() -> None:
    paths = ("/.well-known/acme-challenge/*",)
    for spec, upstream in (
        (ext_authz_spec(paths), ext_authz_spec(())),
        (require_jwt_spec(paths), require_jwt_spec(())),
    ):
        (rule,) = spec["rules"]
        assert rule["to"][0]["operation"]["notPaths"][-1] == paths[0]
        rule["to"][0]["operation"]["notPaths"].pop()
        assert spec == upstream


def test_in_cluster_m2m_issuers_equal_upstreams_kind_overlay() -> None:
    spec = m2m_spec([TokenIssuer(issuer, JWKS_PROXY_URI) for issuer in IN_CLUSTER_ISSUERS])
    assert spec == upstream_object(KIND, "RequestAuthentication", "m2m-token-issuer")["spec"]


def test_eks_m2m_issuer_is_upstreams_eks_overlay_with_the_clusters_issuer() -> None:
    upstream = upstream_object(EKS, "RequestAuthentication", "m2m-token-issuer")["spec"]
    assert upstream["jwtRules"][0]["issuer"] == "https://oidc.eks.AWS_REGION.amazonaws.com/id/CLUSTER_ID"
    upstream["jwtRules"][0]["issuer"] = "https://oidc.eks.us-west-2.amazonaws.com/id/ABC"
    assert m2m_spec([TokenIssuer("https://oidc.eks.us-west-2.amazonaws.com/id/ABC")]) == upstream


def test_jwks_proxy_serves_upstreams_paths_with_a_pinned_image_and_restricted_context() -> None:
    upstream = upstream_object(KIND, "Deployment", "cluster-jwks-proxy", "istio-system")
    (upstream_container,) = upstream["spec"]["template"]["spec"]["containers"]
    ours = jwks_proxy_container()
    assert ours["args"] == upstream_container["args"]
    assert ours["ports"] == upstream_container["ports"]
    assert upstream_container["image"].endswith(":latest")
    assert not ours["image"].endswith(":latest") and ":" in ours["image"]
    context = ours["securityContext"]
    assert context["runAsNonRoot"] and context["allowPrivilegeEscalation"] is False
    assert context["capabilities"] == {"drop": ["ALL"]} and context["seccompProfile"] == {
        "type": "RuntimeDefault"
    }
    assert ours["resources"]["requests"] and ours["resources"]["limits"]
    assert upstream["spec"]["selector"]["matchLabels"] == JWKS_PROXY_LABELS


def test_mesh_auth_objects_depend_on_what_the_component_depends_on(record) -> None:
    def program() -> None:
        provider = k8s.Provider("k8s", kubeconfig="/dev/null", context="t")
        crds = k8s.core.v1.ConfigMap("crds", opts=pulumi.ResourceOptions(provider=provider))
        MeshAuth(
            "auth",
            MeshAuthArgs([TokenIssuer(i, JWKS_PROXY_URI) for i in IN_CLUSTER_ISSUERS], jwks_proxy=True),
            opts=pulumi.ResourceOptions(provider=provider, depends_on=[crds]),
        )

    recording = record(program)
    crds = recording.named("crds")
    istio_objects = [r for r in recording.resources if r.type.startswith("kubernetes:security.istio.io/v1:")]
    assert len(istio_objects) == 4
    assert all(crds.urn in r.dependencies for r in istio_objects)
    deployment = recording.one("kubernetes:apps/v1:Deployment")
    service = recording.one("kubernetes:core/v1:Service")
    assert service.inputs["spec"]["selector"] == deployment.inputs["spec"]["template"]["metadata"]["labels"]


@pytest.fixture(scope="module")
def gateway_pod_labels() -> dict[str, str]:
    """The pod labels of the ingress gateway as the real chart renders kfstack's release."""
    if not CHARTS.is_dir():
        pytest.skip(f"packaged charts not found at {CHARTS}")
    try:
        helm = find_tool("helm")
    except ToolNotFound as exc:
        pytest.skip(str(exc))
    from kfstack.plan.recorder import record_program

    def program() -> None:
        provider = k8s.Provider("k8s", kubeconfig="/dev/null", context="t")
        charts = [HelmChart(name, "1.29.0", ISTIO) for name in ("base", "istiod", "gateway")]
        Istio("istio", IstioArgs(*charts, "ClusterIP"), opts=pulumi.ResourceOptions(provider=provider))

    (release,) = [r for r in record_program(program, stack="t").resources if r.name == "istio-gateway"]
    rendered = rendered_release(release, Path(CHARTS), "1.34", helm)
    (deployment,) = [o.manifest for o in rendered.objects if o.manifest["kind"] == "Deployment"]
    return deployment["spec"]["template"]["metadata"]["labels"]


def test_every_gateway_policy_selects_the_rendered_gateway_pods(gateway_pod_labels: dict[str, str]) -> None:
    specs = [dex_jwt_spec(), m2m_spec([TokenIssuer("https://x")]), ext_authz_spec(()), require_jwt_spec(())]
    for spec in specs:
        selector = spec["selector"]["matchLabels"]
        assert selector.items() <= gateway_pod_labels.items()
