"""The Kubeflow Gateway (`kubeflow/kubeflow-gateway`, HTTP and HTTPS) and its certificate from
cert-manager: self-signed, ACME (HTTP-01 through the Istio ingress) or a Secret the operator provides."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import pulumi
import pulumi_kubernetes as k8s

from modules.istio import GATEWAY_LABELS, ISTIO_NAMESPACE
from modules.options import child_options

GATEWAY_NAME = "kubeflow-gateway"
GATEWAY_NAMESPACE = "kubeflow"
GATEWAY_REF = f"{GATEWAY_NAMESPACE}/{GATEWAY_NAME}"
"""How VirtualServices name the gateway (`spec.gateways`)."""


TLS_SECRET = "kubeflow-gateway-tls"
"""The certificate's Secret when cert-manager makes it (in istio-system, where the gateway reads it)."""
ACME_CHALLENGE_PATHS = ("/.well-known/acme-challenge/*",)
"""Paths the ACME HTTP-01 challenge uses; the login must not guard them."""
ISTIO_INGRESS_CLASS = "istio"
ISTIO_INGRESS_CONTROLLER = "istio.io/ingress-controller"


def gateway_peer(gateway_app: str = GATEWAY_LABELS["app"]) -> dict[str, Any]:
    """NetworkPolicy peer: the pods of the ingress gateway release labelled `app: <gateway_app>` in
    istio-system (default: the Kubeflow gateway's)."""
    return {
        "namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": ISTIO_NAMESPACE}},
        "podSelector": {"matchLabels": {"app": gateway_app}},
    }


def gateway_ingress_policy(
    pod_labels: Mapping[str, str],
    port: int | None = None,
    also_from: Sequence[dict[str, Any]] = (),
    gateway_app: str = GATEWAY_LABELS["app"],
) -> dict[str, Any]:
    """NetworkPolicy spec: only the Istio ingress gateway pods (`app: <gateway_app>`, by default the
    Kubeflow gateway's) and `also_from` peers reach the pods with `pod_labels`, on `port` (None: every
    port). For services that trust the headers the gateway sets after the login, such as
    `kubeflow-userid`: nobody else in the cluster can forge them."""
    rule: dict[str, Any] = {"from": [gateway_peer(gateway_app), *also_from]}
    if port is not None:
        rule["ports"] = [{"protocol": "TCP", "port": port}]
    return {"podSelector": {"matchLabels": dict(pod_labels)}, "ingress": [rule], "policyTypes": ["Ingress"]}


def gateway_route(prefix: str, host: str, port: int) -> dict[str, Any]:
    """VirtualService spec: requests under `prefix` on the Kubeflow gateway go to `host`:`port`."""
    return {
        "gateways": [GATEWAY_REF],
        "hosts": ["*"],
        "http": [
            {
                "match": [{"uri": {"prefix": prefix}}],
                "route": [{"destination": {"host": host, "port": {"number": port}}}],
            }
        ],
    }


TlsMode = Literal["selfSigned", "acme", "existingSecret"]


def gateway_spec(
    hostname: str | None, credential_name: str, istio_label: str = GATEWAY_LABELS["istio"]
) -> dict[str, Any]:
    """The Gateway's spec: the ingress gateway pods labelled `istio: <istio_label>` (by default the
    Kubeflow gateway's), HTTP on 80 and HTTPS on 443 for `hostname` (or any)."""
    hosts = [hostname or "*"]
    return {
        "selector": {"istio": istio_label},
        "servers": [
            {"hosts": hosts, "port": {"name": "http", "number": 80, "protocol": "HTTP"}},
            {
                "hosts": hosts,
                "port": {"name": "https", "number": 443, "protocol": "HTTPS"},
                "tls": {"mode": "SIMPLE", "credentialName": credential_name},
            },
        ],
    }


def self_signed_issuer_spec() -> dict[str, Any]:
    """A ClusterIssuer that signs each certificate with its own key."""
    return {"selfSigned": {}}


def acme_issuer_spec(email: str, server: str, account_secret: str) -> dict[str, Any]:
    """An ACME ClusterIssuer answering HTTP-01 through an Ingress of class `istio` (the ingress gateway)."""
    return {
        "acme": {
            "email": email,
            "server": server,
            "privateKeySecretRef": {"name": account_secret},
            "solvers": [{"http01": {"ingress": {"ingressClassName": ISTIO_INGRESS_CLASS}}}],
        }
    }


def certificate_spec(issuer: str, hostname: str | None, secret_name: str = TLS_SECRET) -> dict[str, Any]:
    """A Certificate for the gateway's hostname (`localhost` without one), stored in `secret_name`."""
    return {
        "secretName": secret_name,
        "dnsNames": [hostname or "localhost"],
        "issuerRef": {"group": "cert-manager.io", "kind": "ClusterIssuer", "name": issuer},
        "privateKey": {"algorithm": "ECDSA", "size": 256, "rotationPolicy": "Always"},
    }


@dataclass(frozen=True)
class KubeflowGatewayArgs:
    """Hostname and TLS of the gateway, as the config validated them."""

    hostname: str | None
    tls_mode: TlsMode
    acme_email: str | None
    acme_server: str
    existing_secret: str | None


class KubeflowGateway(pulumi.ComponentResource):
    """Gateway and certificate. Pass in `opts.depends_on` what installs the Istio and cert-manager CRDs
    and the kubeflow and istio-system namespaces."""

    credential_name: str
    gateway: k8s.apiextensions.CustomResource
    issuer: k8s.apiextensions.CustomResource | None
    """The ClusterIssuer kfstack made (None with an existing Secret); other gateways' certificates use it."""
    issuer_name: str | None

    def __init__(
        self, name: str, args: KubeflowGatewayArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("kfstack:istio:KubeflowGateway", name, None, opts)
        child = child_options(self, opts)
        self.credential_name = TLS_SECRET
        self.issuer, self.issuer_name = None, None
        if args.tls_mode == "existingSecret":
            if args.existing_secret is None:
                raise ValueError("tls mode existingSecret needs the Secret's name")
            self.credential_name = args.existing_secret
        else:
            if args.tls_mode == "acme":
                if args.acme_email is None or args.hostname is None:
                    raise ValueError("ACME needs an e-mail and a hostname")
                issuer_name = f"{name}-acme"
                issuer_spec = acme_issuer_spec(args.acme_email, args.acme_server, f"{issuer_name}-account")
                # Istio serves Ingresses whose class names its controller (the HTTP-01 solver's Ingress).
                k8s.networking.v1.IngressClass(
                    f"{name}-ingress-class",
                    metadata=k8s.meta.v1.ObjectMetaArgs(name=ISTIO_INGRESS_CLASS),
                    spec=k8s.networking.v1.IngressClassSpecArgs(controller=ISTIO_INGRESS_CONTROLLER),
                    opts=child,
                )
            else:
                issuer_name = f"{name}-selfsigned"
                issuer_spec = self_signed_issuer_spec()
            issuer = k8s.apiextensions.CustomResource(
                f"{name}-issuer",
                api_version="cert-manager.io/v1",
                kind="ClusterIssuer",
                metadata=k8s.meta.v1.ObjectMetaArgs(name=issuer_name),
                spec=issuer_spec,
                opts=child,
            )
            k8s.apiextensions.CustomResource(
                f"{name}-certificate",
                api_version="cert-manager.io/v1",
                kind="Certificate",
                metadata=k8s.meta.v1.ObjectMetaArgs(name=GATEWAY_NAME, namespace=ISTIO_NAMESPACE),
                spec=certificate_spec(issuer_name, args.hostname),
                opts=pulumi.ResourceOptions.merge(child, pulumi.ResourceOptions(depends_on=[issuer])),
            )
            self.issuer, self.issuer_name = issuer, issuer_name
        self.gateway = k8s.apiextensions.CustomResource(
            name,
            api_version="networking.istio.io/v1",
            kind="Gateway",
            metadata=k8s.meta.v1.ObjectMetaArgs(name=GATEWAY_NAME, namespace=GATEWAY_NAMESPACE),
            spec=gateway_spec(args.hostname, self.credential_name),
            opts=child,
        )
        self.register_outputs({})
