"""Istio: the base (CRDs), istiod and ingress gateway releases, the mesh config with Kubeflow's
oauth2-proxy ext-authz provider.

No PeerAuthentication here: one in istio-system (the mesh's root namespace) would apply to the whole
mesh, including profile namespaces and sidecar-less clients; mutual TLS is STRICT per namespace
(`modules/mesh_mtls.py`). The ingress gateway's listeners are not governed by PeerAuthentication.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

import pulumi
import pulumi_kubernetes as k8s

from modules.helm import HelmChart, helm_release
from modules.images import NO_MIRROR, ImageMirror
from modules.options import child_options

ISTIO_NAMESPACE = "istio-system"
GATEWAY_RELEASE = "istio-ingressgateway"
GATEWAY_SERVICE_ACCOUNT = "istio-ingressgateway-service-account"
"""The name kubeflow/manifests gives the gateway's service account; Kubeflow's AuthorizationPolicies
(e.g. ml-pipeline-ui's) allow `cluster.local/ns/istio-system/sa/<this>`."""
GATEWAY_LABELS = {"app": GATEWAY_RELEASE, "istio": "ingressgateway"}
"""The labels the gateway chart puts on the pods of the release named `istio-ingressgateway`."""
EXT_AUTHZ_PROVIDER = "oauth2-proxy"
SESSION_EXT_AUTHZ_PROVIDER = "oauth2-proxy-session"
"""The provider for gateways whose upstream has its own `Authorization` (Determined): see
oauth2_proxy_session_provider()."""
OAUTH2_PROXY_SERVICE = "oauth2-proxy.oauth2-proxy.svc.cluster.local"
ISTIO_HUB = "docker.io/istio"
"""The istiod chart's `global.hub`: pilot, and the proxyv2 image istiod injects (sidecars, the gateway)."""

GatewayServiceType = Literal["ClusterIP", "LoadBalancer"]


def oauth2_proxy_provider() -> dict[str, Any]:
    """The mesh's ext-authz provider for oauth2-proxy, as kubeflow/manifests 26.03 configures it."""
    return {
        "name": EXT_AUTHZ_PROVIDER,
        "envoyExtAuthzHttp": {
            "service": OAUTH2_PROXY_SERVICE,
            "port": 80,
            "headersToDownstreamOnDeny": ["content-type", "set-cookie"],
            "headersToUpstreamOnAllow": [
                "authorization",
                "path",
                "x-auth-request-email",
                "x-auth-request-groups",
                "x-auth-request-user",
            ],
            "includeRequestHeadersInCheck": ["authorization", "cookie"],
        },
    }


def oauth2_proxy_session_provider() -> dict[str, Any]:
    """An ext-authz provider that only checks the oauth2-proxy session cookie and leaves the request as
    it came: no `headersToUpstreamOnAllow`, so the Dex token oauth2-proxy answers with never replaces
    the client's own `Authorization` (Determined's session token). Envoy sends `Authorization` to
    oauth2-proxy all the same (it always does); oauth2-proxy 7.14 with `skip_jwt_bearer_tokens` and its
    default `bearer_token_login_fallback` ignores a bearer token that is not a JWT (Determined's is not)
    and goes on to the cookie."""
    return {
        "name": SESSION_EXT_AUTHZ_PROVIDER,
        "envoyExtAuthzHttp": {
            "service": OAUTH2_PROXY_SERVICE,
            "port": 80,
            "headersToDownstreamOnDeny": ["content-type", "set-cookie"],
            "includeRequestHeadersInCheck": ["cookie"],
        },
    }


def istiod_values(mirror: ImageMirror | None = None, session_provider: bool = False) -> dict[str, Any]:
    """istiod values. In the 1.29 chart `env`, `seccompProfile` are top-level (not under `pilot.`).

    With a mirror registry, `global.hub` points at it: istiod's own image and the proxy it injects into
    every sidecar and into the ingress gateway (whose chart's image is `auto`) come from the mirror.
    `session_provider` adds oauth2_proxy_session_provider() (for the Determined gateway).
    """
    providers = [oauth2_proxy_provider()]
    if session_provider:
        providers.append(oauth2_proxy_session_provider())
    values: dict[str, Any] = {
        "meshConfig": {"accessLogFile": "/dev/stdout", "extensionProviders": providers},
        "env": {
            # istiod refreshes RequestAuthentication keys every 20 min by default; Dex usually starts after
            # istiod, so without this the gateway rejects Dex tokens for up to 20 min (kubeflow/manifests).
            "PILOT_JWT_PUB_KEY_REFRESH_INTERVAL": "1m",
            "ENABLE_DEBUG_ON_HTTP": "false",
        },
        "seccompProfile": {"type": "RuntimeDefault"},
    }
    if mirror is not None and mirror.registry is not None:
        values["global"] = {"hub": mirror.hub(ISTIO_HUB)}
    return values


def gateway_values(service_type: GatewayServiceType, annotations: Mapping[str, str]) -> dict[str, Any]:
    """Ingress gateway values: Kubeflow's service account name, the Service type and annotations."""
    return {
        "serviceAccount": {"name": GATEWAY_SERVICE_ACCOUNT},
        "service": {"type": service_type, "annotations": dict(annotations)},
        "containerSecurityContext": {"seccompProfile": {"type": "RuntimeDefault"}},
    }


def nlb_annotations(internal: bool) -> dict[str, str]:
    """Service annotations for an AWS NLB, internal or internet-facing.

    These are the in-tree AWS cloud provider's annotations, served on EKS by the cloud controller
    manager EKS runs (no AWS Load Balancer Controller assumed). With the AWS Load Balancer Controller
    installed, it ignores them unless `service.beta.kubernetes.io/aws-load-balancer-type` is
    `external`, so the in-tree controller keeps ownership of this Service.
    """
    annotations = {"service.beta.kubernetes.io/aws-load-balancer-type": "nlb"}
    if internal:
        annotations["service.beta.kubernetes.io/aws-load-balancer-internal"] = "true"
    return annotations


@dataclass(frozen=True)
class IstioArgs:
    """The pinned base, istiod and gateway charts and how the gateway Service is exposed."""

    base_chart: HelmChart
    istiod_chart: HelmChart
    gateway_chart: HelmChart
    service_type: GatewayServiceType
    service_annotations: Mapping[str, str] = field(default_factory=dict)
    mirror: ImageMirror = NO_MIRROR
    session_provider: bool = False
    """Whether the mesh config gets the cookie-only ext-authz provider (the Determined gateway's)."""


class Istio(pulumi.ComponentResource):
    """istio-system and the three releases in order.

    `base` installs the Istio CRDs (networking, security, telemetry, extensions.istio.io); custom
    resources of those groups depend on it. `gateway` is the ingress gateway release.
    """

    namespace: k8s.core.v1.Namespace
    base: k8s.helm.v3.Release
    istiod: k8s.helm.v3.Release
    gateway: k8s.helm.v3.Release

    def __init__(self, name: str, args: IstioArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("kfstack:istio:Istio", name, None, opts)
        child = child_options(self, opts)

        def after(*resources: pulumi.Resource) -> pulumi.ResourceOptions:
            return pulumi.ResourceOptions.merge(child, pulumi.ResourceOptions(depends_on=list(resources)))

        # No `istio-injection: disabled` label: the gateway pods are injected through the
        # `sidecar.istio.io/inject` label on them, which that namespace label would override.
        self.namespace = k8s.core.v1.Namespace(
            f"ns-{ISTIO_NAMESPACE}", metadata=k8s.meta.v1.ObjectMetaArgs(name=ISTIO_NAMESPACE), opts=child
        )
        self.base = helm_release(
            f"{name}-base",
            args.base_chart,
            ISTIO_NAMESPACE,
            {},
            after(self.namespace),
            release_name="istio-base",
        )
        self.istiod = helm_release(
            f"{name}-istiod",
            args.istiod_chart,
            ISTIO_NAMESPACE,
            istiod_values(args.mirror, args.session_provider),
            after(self.base),
            release_name="istiod",
        )
        self.gateway = helm_release(
            f"{name}-gateway",
            args.gateway_chart,
            ISTIO_NAMESPACE,
            gateway_values(args.service_type, args.service_annotations),
            after(self.istiod),
            release_name=GATEWAY_RELEASE,
        )
        self.register_outputs({})
