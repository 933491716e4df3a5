"""The Determined gateway's specs: they fit the Istio and cert-manager CRDs, the session check covers
every path but the login (and the ACME challenges), the routes keep the login before the master, and
the component makes the certificate only when given an issuer."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pulumi
import pulumi_kubernetes as k8s
import pytest

from modules.determined_gateway import (
    DETERMINED_GATEWAY_LABELS,
    TLS_SECRET,
    DeterminedGateway,
    DeterminedGatewayArgs,
    determined_gateway_spec,
    determined_routes,
    session_check_spec,
)
from modules.helm import HelmChart
from modules.istio import GATEWAY_LABELS, SESSION_EXT_AUTHZ_PROVIDER
from modules.kubeflow_gateway import certificate_spec
from modules.mesh_auth import LOGIN_PATHS, ext_authz_spec

MASTER = "determined-master-service-determined.determined.svc.cluster.local"


def _schema(crd_dir: Path, group: str, kind: str) -> dict[str, Any]:
    return json.loads((crd_dir / group / f"{kind}_v1.json").read_text())["openAPIV3Schema"]


def _object(api_version: str, kind: str, spec: dict[str, Any]) -> dict[str, Any]:
    return {
        "apiVersion": api_version,
        "kind": kind,
        "metadata": {"name": "x", "namespace": "n"},
        "spec": spec,
    }


@pytest.mark.parametrize("acme", [False, True])
def test_specs_validate_against_the_crd_schemas(crd_dir: Path, acme: bool) -> None:
    istio = "networking.istio.io"
    for kind, spec in (
        ("Gateway", determined_gateway_spec("determined.example.com", TLS_SECRET)),
        ("VirtualService", determined_routes("determined", MASTER, 8080, acme)),
    ):
        jsonschema.validate(_object(f"{istio}/v1", kind, spec), _schema(crd_dir, istio, kind))
    policy = _object("security.istio.io/v1", "AuthorizationPolicy", session_check_spec(()))
    jsonschema.validate(policy, _schema(crd_dir, "security.istio.io", "AuthorizationPolicy"))
    certificate = _object(
        "cert-manager.io/v1", "Certificate", certificate_spec("i", "determined.example.com", TLS_SECRET)
    )
    jsonschema.validate(certificate, _schema(crd_dir, "cert-manager.io", "Certificate"))


def test_the_gateway_selects_its_own_pods_not_the_kubeflow_gateways() -> None:
    spec = determined_gateway_spec(None, TLS_SECRET)
    assert spec["selector"] == {"istio": DETERMINED_GATEWAY_LABELS["istio"]}
    assert DETERMINED_GATEWAY_LABELS["app"] != GATEWAY_LABELS["app"]
    assert DETERMINED_GATEWAY_LABELS["istio"] != GATEWAY_LABELS["istio"]
    assert [server["hosts"] for server in spec["servers"]] == [["*"], ["*"]]


def test_the_session_check_covers_every_request_but_the_login_unlike_kubeflows() -> None:
    spec = session_check_spec(("/.well-known/acme-challenge/*",))
    assert spec["provider"] == {"name": SESSION_EXT_AUTHZ_PROVIDER}
    assert spec["selector"] == {"matchLabels": {"app": DETERMINED_GATEWAY_LABELS["app"]}}
    (rule,) = spec["rules"]
    assert rule == {"to": [{"operation": {"notPaths": [*LOGIN_PATHS, "/.well-known/acme-challenge/*"]}}]}
    # the Kubeflow gateway's skips requests with an Authorization header (its JWT check takes those)
    assert "when" in ext_authz_spec(())["rules"][0]


def test_the_routes_put_the_login_first_and_send_the_rest_to_the_master() -> None:
    spec = determined_routes("determined", MASTER, 8080, acme=True)
    assert spec["gateways"] == ["determined/determined-gateway"]
    prefixes = [r.get("match", [{"uri": {"prefix": None}}])[0]["uri"]["prefix"] for r in spec["http"]]
    assert prefixes == ["/dex/", "/oauth2/", "/.well-known/acme-challenge/", None]
    assert spec["http"][-1]["route"] == [{"destination": {"host": MASTER, "port": {"number": 8080}}}]
    assert len(determined_routes("determined", MASTER, 8080, acme=False)["http"]) == 3


def _args(**changes: Any) -> DeterminedGatewayArgs:
    settings: dict[str, Any] = {
        "chart": HelmChart("gateway", "1.29.0", "https://istio-release.storage.googleapis.com/charts"),
        "service_type": "ClusterIP",
        "hostname": "determined.example.com",
        "namespace": "determined",
        "master_host": MASTER,
        "master_port": 8080,
        "issuer_name": "kubeflow-gateway-acme",
    }
    return DeterminedGatewayArgs(**{**settings, **changes})


def _gateway(record, args: DeterminedGatewayArgs):
    def program() -> None:
        provider = k8s.Provider("k8s", kubeconfig="/dev/null", context="t")
        DeterminedGateway("determined-gateway", args, opts=pulumi.ResourceOptions(provider=provider))

    return record(program)


def test_with_an_issuer_it_makes_the_certificate_the_gateway_serves(record) -> None:
    recording = _gateway(record, _args())
    certificate = recording.one("kubernetes:cert-manager.io/v1:Certificate")
    assert certificate.inputs["spec"]["issuerRef"]["name"] == "kubeflow-gateway-acme"
    assert certificate.inputs["metadata"]["namespace"] == "istio-system"  # where the gateway pods read it
    gateway = recording.one("kubernetes:networking.istio.io/v1:Gateway")
    assert gateway.inputs["spec"]["servers"][1]["tls"]["credentialName"] == TLS_SECRET
    release = recording.one("kubernetes:helm.sh/v3:Release")
    assert (release.inputs["name"], release.inputs["namespace"]) == (
        "determined-ingressgateway",
        "istio-system",
    )


def test_with_an_existing_secret_it_makes_no_certificate(record) -> None:
    recording = _gateway(record, _args(issuer_name=None, existing_secret="mine"))
    assert recording.find("kubernetes:cert-manager.io/v1:Certificate") == []
    gateway = recording.one("kubernetes:networking.istio.io/v1:Gateway")
    assert gateway.inputs["spec"]["servers"][1]["tls"]["credentialName"] == "mine"
