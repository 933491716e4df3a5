"""oauth2-proxy and the gateway's authentication: Dex JWTs, machine-to-machine service-account
tokens (the EKS OIDC issuer, or the API server's issuer through a JWKS proxy) and the policies
that send browsers to the login and deny requests without a verified principal."""

from __future__ import annotations

import pulumi

from stacks.component_spec import ChartSource, ComponentSpec
from stacks.components.cluster import Cluster
from stacks.components.determined import login_gateway_apps
from stacks.components.dex import Login
from stacks.components.istio import Mesh
from stacks.context import StackContext

SPEC = ComponentSpec(
    name="oauth2-proxy",
    summary="oauth2-proxy ext-authz, Dex and service-account token RequestAuthentications, gateway policies",
    key="oauth2Proxy",
    charts=(ChartSource("oauth2-proxy", pinned_by="oauth2Proxy"),),
)


def build_oauth2_proxy(
    stack: StackContext, cluster: Cluster, mesh: Mesh | None, login: Login | None
) -> pulumi.Resource | None:
    """oauth2-proxy after Dex, then the gateway's auth policies; returns the release (None when off)."""
    config = stack.config
    if not config.components.enabled("oauth2Proxy"):
        return None
    assert mesh is not None and login is not None  # the config requires Istio and Dex
    from modules.credentials import random_secret
    from modules.mesh_auth import IN_CLUSTER_ISSUERS, JWKS_PROXY_URI, MeshAuth, MeshAuthArgs, TokenIssuer
    from modules.oauth2_proxy import COOKIE_SECRET_LENGTH, OAuth2Proxy, OAuth2ProxyArgs

    opts = pulumi.ResourceOptions.merge(
        cluster.options(), pulumi.ResourceOptions(depends_on=[login.release, mesh.base, mesh.gateway_release])
    )
    configured = config.auth.oauth2_proxy.cookie_secret
    if configured is not None:
        cookie_secret = configured.as_output()
    else:  # local only: the config requires it elsewhere
        generated = random_secret("oauth2-proxy-cookie-secret", COOKIE_SECRET_LENGTH, opts)
        cookie_secret = pulumi.Output.secret(generated.result)
    (chart,) = SPEC.charts
    pin = config.components.pin("oauth2Proxy")
    assert pin.image_tag is not None
    proxy = OAuth2Proxy(
        "oauth2-proxy",
        OAuth2ProxyArgs(
            chart=chart.pinned(config.components),
            image_tag=pin.image_tag,
            client_secret=login.client_secret,
            cookie_secret=cookie_secret,
            cookie_secure=mesh.https,
            # kind-like clusters serve their OIDC issuer with a self-signed certificate (kubeflow/manifests)
            allow_self_signed_issuer=cluster.eks is None,
            mirror=config.images.mirror(),
            login_gateway_apps=login_gateway_apps(config),
        ),
        opts=opts,
    )
    if cluster.eks is not None:
        issuers = [TokenIssuer(cluster.eks.oidc_issuer)]
    else:
        issuers = [TokenIssuer(issuer, JWKS_PROXY_URI) for issuer in IN_CLUSTER_ISSUERS]
    MeshAuth(
        "gateway-auth",
        MeshAuthArgs(
            issuers,
            jwks_proxy=cluster.eks is None,
            public_paths=mesh.public_paths,
            mirror=config.images.mirror(),
        ),
        opts=pulumi.ResourceOptions.merge(
            cluster.options(), pulumi.ResourceOptions(depends_on=[mesh.base, mesh.namespace, proxy.release])
        ),
    )
    return proxy.release
