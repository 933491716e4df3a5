"""The Kubeflow Gateway is upstream's (name, namespace, selector, HTTP server) plus HTTPS, and its
certificate comes from the issuer the TLS mode asks for; the specs fit the cert-manager and Istio CRDs."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pulumi
import pulumi_kubernetes as k8s

from modules.kubeflow_gateway import (
    TLS_SECRET,
    KubeflowGateway,
    KubeflowGatewayArgs,
    acme_issuer_spec,
    certificate_spec,
    gateway_spec,
)
from tests.upstream import upstream_object

LETSENCRYPT = "https://acme-v02.api.letsencrypt.org/directory"


def _schema(crd_dir: Path, group: str, kind: str) -> dict:
    return json.loads((crd_dir / group / f"{kind}_v1.json").read_text())["openAPIV3Schema"]


def test_gateway_is_upstreams_with_an_https_server() -> None:
    upstream = upstream_object(
        "common_istio_kubeflow-istio-resources_base.yaml", "Gateway", "kubeflow-gateway"
    )
    assert upstream["metadata"]["namespace"] == "kubeflow"
    spec = gateway_spec(None, TLS_SECRET)
    assert spec["selector"] == upstream["spec"]["selector"]
    http, https = spec["servers"]
    assert [http] == upstream["spec"]["servers"]
    assert https["port"] == {"name": "https", "number": 443, "protocol": "HTTPS"}
    assert https["tls"] == {"mode": "SIMPLE", "credentialName": TLS_SECRET}
    assert gateway_spec("kubeflow.example.com", "s")["servers"][1]["hosts"] == ["kubeflow.example.com"]


def test_specs_validate_against_the_crd_schemas(crd_dir: Path) -> None:
    issuer = {
        "apiVersion": "cert-manager.io/v1",
        "kind": "ClusterIssuer",
        "metadata": {"name": "acme"},
        "spec": acme_issuer_spec("ops@example.com", LETSENCRYPT, "acme-account"),
    }
    jsonschema.validate(issuer, _schema(crd_dir, "cert-manager.io", "ClusterIssuer"))
    certificate = {
        "apiVersion": "cert-manager.io/v1",
        "kind": "Certificate",
        "metadata": {"name": "c", "namespace": "istio-system"},
        "spec": certificate_spec("acme", "kubeflow.example.com"),
    }
    jsonschema.validate(certificate, _schema(crd_dir, "cert-manager.io", "Certificate"))
    gateway = {
        "apiVersion": "networking.istio.io/v1",
        "kind": "Gateway",
        "metadata": {"name": "g", "namespace": "kubeflow"},
        "spec": gateway_spec("kubeflow.example.com", TLS_SECRET),
    }
    jsonschema.validate(gateway, _schema(crd_dir, "networking.istio.io", "Gateway"))
    solver = issuer["spec"]["acme"]["solvers"][0]["http01"]["ingress"]
    assert solver == {"ingressClassName": "istio"}


def _gateway(record, args: KubeflowGatewayArgs):
    def program() -> None:
        provider = k8s.Provider("k8s", kubeconfig="/dev/null", context="t")
        KubeflowGateway("kubeflow-gateway", args, opts=pulumi.ResourceOptions(provider=provider))

    return record(program)


def test_self_signed_mode_makes_a_self_signed_issuer_and_certificate(record) -> None:
    recording = _gateway(record, KubeflowGatewayArgs(None, "selfSigned", None, LETSENCRYPT, None))
    issuer = recording.one("kubernetes:cert-manager.io/v1:ClusterIssuer")
    certificate = recording.one("kubernetes:cert-manager.io/v1:Certificate")
    assert issuer.inputs["spec"] == {"selfSigned": {}}
    assert certificate.inputs["spec"]["issuerRef"]["name"] == issuer.inputs["metadata"]["name"]
    assert certificate.inputs["spec"]["secretName"] == TLS_SECRET
    assert certificate.inputs["metadata"]["namespace"] == "istio-system"  # where the gateway reads it
    assert issuer.urn in certificate.dependencies
    gateway = recording.one("kubernetes:networking.istio.io/v1:Gateway")
    assert gateway.inputs["spec"]["servers"][1]["tls"]["credentialName"] == TLS_SECRET
    assert recording.find("kubernetes:networking.k8s.io/v1:IngressClass") == []


def test_acme_mode_makes_an_acme_issuer_and_the_istio_ingress_class(record) -> None:
    args = KubeflowGatewayArgs("kubeflow.example.com", "acme", "ops@example.com", LETSENCRYPT, None)
    recording = _gateway(record, args)
    issuer = recording.one("kubernetes:cert-manager.io/v1:ClusterIssuer")
    assert issuer.inputs["spec"]["acme"]["email"] == "ops@example.com"
    certificate = recording.one("kubernetes:cert-manager.io/v1:Certificate")
    assert certificate.inputs["spec"]["dnsNames"] == ["kubeflow.example.com"]
    ingress_class = recording.one("kubernetes:networking.k8s.io/v1:IngressClass")
    assert ingress_class.inputs["spec"] == {"controller": "istio.io/ingress-controller"}
    assert ingress_class.inputs["metadata"]["name"] == "istio"


def test_existing_secret_mode_makes_no_issuer_and_uses_the_secret(record) -> None:
    args = KubeflowGatewayArgs("kubeflow.example.com", "existingSecret", None, LETSENCRYPT, "my-tls")
    recording = _gateway(record, args)
    assert recording.find("kubernetes:cert-manager.io/v1:ClusterIssuer") == []
    assert recording.find("kubernetes:cert-manager.io/v1:Certificate") == []
    gateway = recording.one("kubernetes:networking.istio.io/v1:Gateway")
    assert gateway.inputs["spec"]["servers"][1]["tls"]["credentialName"] == "my-tls"


def test_a_gateway_route_sends_a_prefix_on_the_kubeflow_gateway_to_one_service() -> None:
    from modules.kubeflow_gateway import GATEWAY_REF, gateway_route

    route = gateway_route("/x/", "x.ns.svc.cluster.local", 8080)
    assert route["gateways"] == [GATEWAY_REF] and route["hosts"] == ["*"]
    (http,) = route["http"]
    assert http == {
        "match": [{"uri": {"prefix": "/x/"}}],
        "route": [{"destination": {"host": "x.ns.svc.cluster.local", "port": {"number": 8080}}}],
    }


def test_gateway_ingress_policy_admits_only_the_gateway_pods_and_the_named_peers() -> None:
    from modules.kubeflow_gateway import gateway_ingress_policy

    plain = gateway_ingress_policy({"app": "x"})
    (rule,) = plain["ingress"]
    assert plain["podSelector"] == {"matchLabels": {"app": "x"}} and plain["policyTypes"] == ["Ingress"]
    assert rule == {
        "from": [
            {
                "namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "istio-system"}},
                "podSelector": {"matchLabels": {"app": "istio-ingressgateway"}},
            }
        ]
    }
    peer = {"namespaceSelector": {"matchLabels": {"team": "a"}}}
    (scoped,) = gateway_ingress_policy({"app": "x"}, 5000, also_from=[peer])["ingress"]
    assert scoped["from"][1:] == [peer] and scoped["ports"] == [{"protocol": "TCP", "port": 5000}]
