"""Determined behind the Kubeflow login: a second Istio ingress gateway (another release of the
`gateway` chart) on which oauth2-proxy checks only its session cookie, and Determined's own
`Authorization: Bearer` token reaches the master untouched.

The Kubeflow gateway cannot serve Determined: its RequestAuthentications (`dex-jwt`,
`m2m-token-issuer`, `modules/mesh_auth.py`) reject every bearer token that is not a JWT of their
issuers, and Determined's web UI and CLI send Determined's own token there. RequestAuthentications
select pods, not hosts, so Determined gets its own gateway pods, which none of them selects (their
selector is `app: istio-ingressgateway`). The same Dex and oauth2-proxy log users in there: the
gateway routes `/dex/` and `/oauth2/` like the Kubeflow gateway does, and an AuthorizationPolicy
with the CUSTOM action sends every other request to oauth2-proxy through the cookie-only provider
(`modules/istio.py` oauth2_proxy_session_provider).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pulumi
import pulumi_kubernetes as k8s

from modules.dex import DEX_NAMESPACE, DEX_PORT, DEX_SERVICE
from modules.helm import HelmChart, helm_release
from modules.istio import (
    GATEWAY_RELEASE,
    ISTIO_NAMESPACE,
    OAUTH2_PROXY_SERVICE,
    SESSION_EXT_AUTHZ_PROVIDER,
    GatewayServiceType,
)
from modules.kubeflow_gateway import ACME_CHALLENGE_PATHS, certificate_spec, gateway_spec
from modules.mesh_auth import LOGIN_PATHS
from modules.options import child_options

DETERMINED_GATEWAY_RELEASE = "determined-ingressgateway"
DETERMINED_GATEWAY_LABELS = {"app": DETERMINED_GATEWAY_RELEASE, "istio": DETERMINED_GATEWAY_RELEASE}
"""The labels the gateway chart puts on the pods of this release (`app`: the release name; `istio`: the
release name without an `istio-` prefix). Neither is the Kubeflow gateway's, so no policy of
`modules/mesh_auth.py` selects these pods."""
DETERMINED_GATEWAY_NAME = "determined-gateway"
TLS_SECRET = "determined-gateway-tls"
"""The certificate's Secret when cert-manager makes it (in istio-system, where the gateway pods read it)."""
KUBEFLOW_GATEWAY_SERVICE = f"{GATEWAY_RELEASE}.{ISTIO_NAMESPACE}.svc.cluster.local"
SESSION_CHECK_POLICY = "determined-ingressgateway-oauth2-proxy"


def determined_gateway_values(
    service_type: GatewayServiceType, annotations: Mapping[str, str]
) -> dict[str, Any]:
    """Gateway chart values: the Service type and annotations (as the Kubeflow gateway's), the chart's
    own service account (named like the release: Kubeflow's policies that trust the Kubeflow
    gateway's account do not trust this one)."""
    return {
        "service": {"type": service_type, "annotations": dict(annotations)},
        "containerSecurityContext": {"seccompProfile": {"type": "RuntimeDefault"}},
    }


def determined_gateway_spec(hostname: str | None, credential_name: str) -> dict[str, Any]:
    """Gateway spec: the Determined gateway pods, HTTP on 80 and HTTPS on 443 for `hostname` (or any)."""
    return gateway_spec(hostname, credential_name, istio_label=DETERMINED_GATEWAY_LABELS["istio"])


def _route(prefix: str | None, host: str, port: int) -> dict[str, Any]:
    route: dict[str, Any] = {"route": [{"destination": {"host": host, "port": {"number": port}}}]}
    return {"match": [{"uri": {"prefix": prefix}}], **route} if prefix is not None else route


def determined_routes(namespace: str, master_host: str, master_port: int, acme: bool) -> dict[str, Any]:
    """VirtualService spec on the Determined gateway (its Gateway in `namespace`): the login (`/dex/`,
    `/oauth2/`) as on the Kubeflow gateway, with ACME the HTTP-01 challenges to the Kubeflow gateway
    (which serves cert-manager's solver Ingress), everything else to the master."""
    routes = [
        _route("/dex/", f"{DEX_SERVICE}.{DEX_NAMESPACE}.svc.cluster.local", DEX_PORT),
        _route("/oauth2/", OAUTH2_PROXY_SERVICE, 80),
    ]
    if acme:
        routes += [_route(path.rstrip("*"), KUBEFLOW_GATEWAY_SERVICE, 80) for path in ACME_CHALLENGE_PATHS]
    routes.append(_route(None, master_host, master_port))
    return {"gateways": [f"{namespace}/{DETERMINED_GATEWAY_NAME}"], "hosts": ["*"], "http": routes}


def session_check_spec(public_paths: Sequence[str]) -> dict[str, Any]:
    """AuthorizationPolicy: every request to the Determined gateway but the login (and `public_paths`)
    is checked by oauth2-proxy's session cookie, whatever its `Authorization` header holds."""
    return {
        "action": "CUSTOM",
        "provider": {"name": SESSION_EXT_AUTHZ_PROVIDER},
        "selector": {"matchLabels": {"app": DETERMINED_GATEWAY_LABELS["app"]}},
        "rules": [{"to": [{"operation": {"notPaths": [*LOGIN_PATHS, *public_paths]}}]}],
    }


@dataclass(frozen=True)
class DeterminedGatewayArgs:
    """The pinned gateway chart, its Service, hostname and TLS, and where the master listens."""

    chart: HelmChart
    service_type: GatewayServiceType
    hostname: str | None
    namespace: str
    """Where the Gateway and its route go (Determined's namespace)."""
    master_host: str
    master_port: int
    issuer_name: str | None
    """The Kubeflow gateway's ClusterIssuer to sign the certificate; None: `existing_secret` is used."""
    existing_secret: str | None = None
    acme: bool = False
    service_annotations: Mapping[str, str] = field(default_factory=dict)


class DeterminedGateway(pulumi.ComponentResource):
    """The gateway release and its certificate in istio-system, the Gateway and route in the Determined
    namespace, the session check in istio-system. Pass in `opts.depends_on` istiod (the mesh config
    with the session provider), the Determined namespace, the issuer and oauth2-proxy."""

    release: k8s.helm.v3.Release
    credential_name: str

    def __init__(
        self, name: str, args: DeterminedGatewayArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("kfstack:determined:DeterminedGateway", name, None, opts)
        child = child_options(self, opts)
        self.release = helm_release(
            name,
            args.chart,
            ISTIO_NAMESPACE,
            determined_gateway_values(args.service_type, args.service_annotations),
            child,
            release_name=DETERMINED_GATEWAY_RELEASE,
        )
        if args.issuer_name is not None:
            self.credential_name = TLS_SECRET
            k8s.apiextensions.CustomResource(
                f"{name}-certificate",
                api_version="cert-manager.io/v1",
                kind="Certificate",
                metadata=k8s.meta.v1.ObjectMetaArgs(name=DETERMINED_GATEWAY_NAME, namespace=ISTIO_NAMESPACE),
                spec=certificate_spec(args.issuer_name, args.hostname, TLS_SECRET),
                opts=child,
            )
        elif args.existing_secret is not None:
            self.credential_name = args.existing_secret
        else:
            raise ValueError("the Determined gateway needs an issuer or an existing TLS Secret")
        namespace = args.namespace
        k8s.apiextensions.CustomResource(
            name,
            api_version="networking.istio.io/v1",
            kind="Gateway",
            metadata=k8s.meta.v1.ObjectMetaArgs(name=DETERMINED_GATEWAY_NAME, namespace=namespace),
            spec=determined_gateway_spec(args.hostname, self.credential_name),
            opts=child,
        )
        k8s.apiextensions.CustomResource(
            f"{name}-route",
            api_version="networking.istio.io/v1",
            kind="VirtualService",
            metadata=k8s.meta.v1.ObjectMetaArgs(name="determined", namespace=namespace),
            spec=determined_routes(namespace, args.master_host, args.master_port, args.acme),
            opts=child,
        )
        k8s.apiextensions.CustomResource(
            f"{name}-session-check",
            api_version="security.istio.io/v1",
            kind="AuthorizationPolicy",
            metadata=k8s.meta.v1.ObjectMetaArgs(name=SESSION_CHECK_POLICY, namespace=ISTIO_NAMESPACE),
            spec=session_check_spec(ACME_CHALLENGE_PATHS if args.acme else ()),
            opts=child,
        )
        self.register_outputs({})
