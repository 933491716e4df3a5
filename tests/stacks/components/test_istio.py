"""The Istio builder: the gateway Service per environment (NLB on EKS, ClusterIP + port-forward
elsewhere), the gateway's TLS per mode, ordering on CRDs and namespaces, outputs; off removes it all."""

from __future__ import annotations

from typing import Any

import pytest

from stacks.config.errors import ConfigError

RELEASE = "kubernetes:helm.sh/v3:Release"
GATEWAY = "kubernetes:networking.istio.io/v1:Gateway"



def _gateway_service(result) -> dict[str, Any]:
    (release,) = result.find(RELEASE, "istio-gateway")
    return release.inputs["values"]["service"]


def test_local_gateway_is_cluster_ip_with_the_port_forward_line(plan_of, exports) -> None:
    result = plan_of("local")
    assert _gateway_service(result) == {"type": "ClusterIP", "annotations": {}}
    assert exports["gatewayPortForward"] == (
        "kubectl --context kind-kfstack -n istio-system port-forward svc/istio-ingressgateway 8080:80 8443:443"
    )
    assert exports["dashboardUrl"] == "http://localhost:8080/"
    assert "gatewayAddress" not in exports


def test_dev_gateway_is_an_internet_facing_nlb(plan_of, exports) -> None:
    service = _gateway_service(plan_of("dev"))
    assert service["type"] == "LoadBalancer"
    assert service["annotations"] == {"service.beta.kubernetes.io/aws-load-balancer-type": "nlb"}
    assert exports["gatewayAddress"] == "kubeflow.dev.example.com"
    assert exports["dashboardUrl"] == "https://kubeflow.dev.example.com/"


def test_staging_and_prod_gateways_are_internal_nlbs(plan) -> None:
    for environment in ("staging", "prod"):
        annotations = _gateway_service(plan(environment))["annotations"]
        assert annotations["service.beta.kubernetes.io/aws-load-balancer-internal"] == "true"


def test_eks_without_a_load_balancer_setting_defaults_to_internal(plan_of) -> None:
    def default(values: dict) -> None:
        del values["gateway"]["loadBalancer"]

    service = _gateway_service(plan_of("prod", default))
    assert service["annotations"]["service.beta.kubernetes.io/aws-load-balancer-internal"] == "true"


def test_eks_load_balancer_none_is_cluster_ip(plan_of, exports) -> None:
    def none(values: dict) -> None:
        values["gateway"]["loadBalancer"] = "none"

    assert _gateway_service(plan_of("prod", none))["type"] == "ClusterIP"
    assert exports["gatewayPortForward"].startswith("kubectl -n istio-system port-forward")


@pytest.mark.parametrize(
    ("environment", "issuer", "credential"),
    [
        ("local", "selfSigned", "kubeflow-gateway-tls"),
        ("dev", "acme", "kubeflow-gateway-tls"),
        ("prod", None, "kubeflow-gateway-tls"),
    ],
)
def test_tls_follows_the_mode(plan, environment: str, issuer: str | None, credential: str) -> None:
    result = plan(environment)
    issuers = result.find("kubernetes:cert-manager.io/v1:ClusterIssuer")
    if issuer is None:
        assert issuers == [] and result.find("kubernetes:cert-manager.io/v1:Certificate") == []
    else:
        (found,) = issuers
        assert issuer in found.inputs["spec"]
    (gateway,) = result.find(GATEWAY)
    assert gateway.inputs["spec"]["servers"][1]["tls"]["credentialName"] == credential


def test_acme_issuer_uses_the_configured_account(plan) -> None:
    (issuer,) = plan("dev").find("kubernetes:cert-manager.io/v1:ClusterIssuer")
    acme = issuer.inputs["spec"]["acme"]
    assert acme["email"] == "platform-team@example.com"
    assert acme["server"] == "https://acme-v02.api.letsencrypt.org/directory"


@pytest.mark.parametrize("environment", ["local", "dev", "staging", "prod"])
def test_custom_resources_wait_for_their_crds_and_namespaces(plan, environment: str) -> None:
    result = plan(environment)
    (base,) = result.find(RELEASE, "istio-base")
    (cert_manager,) = result.find(RELEASE, "cert-manager")
    (kubeflow,) = [r for r in result.find("kubernetes:core/v1:Namespace") if r.name == "ns-kubeflow"]
    (gateway,) = result.find(GATEWAY)
    assert gateway.inputs["metadata"] == {"name": "kubeflow-gateway", "namespace": "kubeflow"}
    assert {base.urn, kubeflow.urn, cert_manager.urn} <= set(gateway.dependencies)
    for certificate in result.find("kubernetes:cert-manager.io/v1:Certificate"):
        assert cert_manager.urn in certificate.dependencies
    assert result.problems == []  # includes every custom resource depending on its CRD's installer
    # no PeerAuthentication in the root namespace: it would make the whole mesh STRICT
    policies = result.find("kubernetes:security.istio.io/v1:PeerAuthentication")
    assert all(p.inputs["metadata"]["namespace"] != "istio-system" for p in policies)


def test_the_gateway_hosts_are_the_hostname(plan) -> None:
    (gateway,) = plan("prod").find(GATEWAY)
    assert {h for s in gateway.inputs["spec"]["servers"] for h in s["hosts"]} == {"kubeflow.example.com"}
    (local,) = plan("local").find(GATEWAY)
    assert {h for s in local.inputs["spec"]["servers"] for h in s["hosts"]} == {"*"}


def test_off_removes_istio_and_its_dependents(plan_of) -> None:
    def off(values: dict) -> None:
        for key in (
            "istio",
            "dex",
            "oauth2Proxy",
            "kubeflowPipelines",
            "kserve",
            "profiles",
            "centralDashboard",
            "knative",
            "mlflow",
            "monitoring",
            "dcgmExporter",
        ):
            values["components"][key] = {"enabled": False}
        values.pop("profiles")

    result = plan_of("local", off)
    assert [r.name for r in result.find(RELEASE)] == ["cert-manager"]
    assert [r for r in result.resources if "istio.io" in r.type] == []
    assert result.find("kfstack:auth:Dex") == [] and result.find("kfstack:auth:OAuth2Proxy") == []


def test_off_with_dex_on_is_rejected(env_config) -> None:
    def istio_off(values: dict) -> None:
        values["components"]["istio"] = {"enabled": False}

    with pytest.raises(ConfigError, match=r"istio.enabled.*needed by dex"):
        env_config("local", istio_off)
