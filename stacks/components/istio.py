"""Istio: base (CRDs), istiod with the oauth2-proxy ext-authz provider, the ingress gateway, and the
Kubeflow Gateway with its certificate from cert-manager (mutual TLS: `kubeflow_mtls`)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pulumi

from stacks.component_spec import ChartSource, ComponentSpec
from stacks.components.cluster import Cluster
from stacks.context import StackContext

if TYPE_CHECKING:
    import pulumi_kubernetes as k8s

    from modules.istio import GatewayServiceType

SPEC = ComponentSpec(
    name="istio",
    summary="Istio base, istiod, ingress gateway (Helm); the Kubeflow Gateway and its TLS",
    key="istio",
    charts=(
        ChartSource("base", pinned_by="istio"),
        ChartSource("istiod", pinned_by="istio", installs_crds=False),
        ChartSource("gateway", pinned_by="istio", installs_crds=False),
    ),
    crd_groups=("networking.istio.io", "security.istio.io", "telemetry.istio.io", "extensions.istio.io"),
)

LOCAL_URL = "http://localhost:8080/"
"""The dashboard through the port-forward of the gateway (`gatewayPortForward`)."""


@dataclass(frozen=True)
class Mesh:
    """What the login and Kubeflow components need from Istio."""

    base: k8s.helm.v3.Release
    """Installs the Istio CRDs: custom resources of those groups depend on it."""
    gateway_release: k8s.helm.v3.Release
    namespace: k8s.core.v1.Namespace
    """istio-system."""
    gateway: k8s.apiextensions.CustomResource
    """`kubeflow/kubeflow-gateway`."""
    dashboard_url: str
    public_paths: tuple[str, ...]
    """Paths on the gateway that must stay reachable without a login (ACME challenges)."""
    https: bool
    """Whether users reach the gateway over HTTPS (sets oauth2-proxy's secure cookies)."""
    issuer: k8s.apiextensions.CustomResource | None
    """The gateway certificate's ClusterIssuer (None with an existing Secret); other gateways reuse it."""
    issuer_name: str | None
    istiod_release: k8s.helm.v3.Release
    """Its mesh config holds the ext-authz providers."""


def gateway_service(stack: StackContext) -> tuple[GatewayServiceType, Mapping[str, str]]:
    """The gateway Service type and annotations: an NLB on EKS (internal by default), else ClusterIP."""
    from modules.istio import nlb_annotations

    exposure = stack.config.gateway.load_balancer
    if stack.config.cluster.kind == "eks" and exposure != "none":
        return "LoadBalancer", nlb_annotations(internal=exposure != "internetFacing")
    return "ClusterIP", {}


def build_istio(
    stack: StackContext,
    cluster: Cluster,
    cert_manager: k8s.helm.v3.Release | None,
    namespaces: Mapping[str, k8s.core.v1.Namespace],
    after: Sequence[pulumi.Resource],
) -> Mesh | None:
    """Istio and the Kubeflow gateway, after the compute it runs on; None when off."""
    config = stack.config
    if not config.components.enabled("istio"):
        return None
    assert cert_manager is not None  # the config requires cert-manager with Istio
    from modules.istio import Istio, IstioArgs
    from modules.kubeflow_gateway import ACME_CHALLENGE_PATHS, KubeflowGateway, KubeflowGatewayArgs

    base, istiod, gateway_chart = (chart.pinned(config.components) for chart in SPEC.charts)
    service_type, annotations = gateway_service(stack)
    istio = Istio(
        "istio",
        IstioArgs(
            base,
            istiod,
            gateway_chart,
            service_type,
            annotations,
            config.images.mirror(),
            # the Determined gateway checks only the login cookie (its upstream has its own Authorization)
            session_provider=config.components.enabled("determined"),
        ),
        opts=pulumi.ResourceOptions.merge(cluster.options(), pulumi.ResourceOptions(depends_on=list(after))),
    )
    tls = config.gateway.tls
    hostname = config.gateway.hostname
    kubeflow_gateway = KubeflowGateway(
        "kubeflow-gateway",
        KubeflowGatewayArgs(hostname, tls.mode, tls.acme_email, tls.acme_server, tls.secret_name),
        opts=pulumi.ResourceOptions.merge(
            cluster.options(),
            pulumi.ResourceOptions(
                depends_on=[cert_manager, istio.base, istio.gateway, istio.namespace, namespaces["kubeflow"]]
            ),
        ),
    )
    if service_type == "ClusterIP":
        context = f"--context {cluster.context} " if cluster.context else ""
        pulumi.export(
            "gatewayPortForward",
            f"kubectl {context}-n istio-system port-forward svc/istio-ingressgateway 8080:80 8443:443",
        )
    else:
        # The load balancer's DNS name is only known after `pulumi up`:
        # `kubectl -n istio-system get svc istio-ingressgateway`; point `hostname` at it.
        pulumi.export("gatewayAddress", hostname)
    dashboard_url = f"https://{hostname}/" if hostname else LOCAL_URL
    pulumi.export("dashboardUrl", dashboard_url)
    return Mesh(
        base=istio.base,
        gateway_release=istio.gateway,
        namespace=istio.namespace,
        gateway=kubeflow_gateway.gateway,
        dashboard_url=dashboard_url,
        public_paths=ACME_CHALLENGE_PATHS if tls.mode == "acme" else (),
        https=hostname is not None,
        issuer=kubeflow_gateway.issuer,
        issuer_name=kubeflow_gateway.issuer_name,
        istiod_release=istio.istiod,
    )
