"""oauth2-proxy, the ext-authz service of the Kubeflow gateway: namespace, its credentials as a
Secret, the Helm release configured as kubeflow/manifests 26.03 configures it, the `/oauth2/` route
and the network policies upstream gives it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, cast

import pulumi
import pulumi_kubernetes as k8s

from modules.dex import (
    DEX_ISSUER,
    OAUTH2_PROXY_CALLBACK,
    OAUTH2_PROXY_CLIENT_ID,
    OAUTH2_PROXY_NAMESPACE,
    OAUTH2_PROXY_POD_LABELS,
    RESTRICTED,
    same_namespace_policy,
)
from modules.helm import HelmChart, helm_release
from modules.images import NO_MIRROR, ImageMirror
from modules.kubeflow_gateway import gateway_ingress_policy, gateway_peer, gateway_route
from modules.options import child_options

OAUTH2_PROXY_CREDENTIALS = "oauth2-proxy-credentials"
"""The Secret with `client-id`, `client-secret`, `cookie-secret` the chart reads (config.existingSecret)."""
COOKIE_SECRET_LENGTH = 32
"""oauth2-proxy accepts a cookie secret of 16, 24 or 32 bytes; kfstack uses 32 (AES-256)."""


def _toml(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, list):
        return "[ " + ", ".join(_toml(v) for v in value) + " ]"
    return '"' + str(value).replace("\\", "\\\\").replace('"', '\\"') + '"'


def oauth2_proxy_settings(cookie_secure: bool, allow_self_signed_issuer: bool) -> dict[str, Any]:
    """oauth2_proxy.cfg settings of kubeflow/manifests 26.03 (base config plus its parameters)."""
    return {
        "provider": "oidc",
        "oidc_issuer_url": DEX_ISSUER,
        "scope": "profile email groups openid",
        "email_domains": ["*"],
        # ext-authz only checks requests; a static 200 upstream answers when they pass
        "upstreams": ["static://200"],
        "skip_auth_routes": ["^/dex/"],
        "api_routes": ["/api/", "/apis/", "^/ml_metadata"],
        # No discovery: the login URL must be relative (Dex's in-cluster address is not reachable by browsers)
        "skip_oidc_discovery": True,
        "login_url": "/dex/auth",
        "redeem_url": f"{DEX_ISSUER}/token",
        "oidc_jwks_url": f"{DEX_ISSUER}/keys",
        "skip_provider_button": False,
        "provider_display_name": "Dex",
        "banner": "-",
        "footer": "-",
        # oauth2-proxy sends prompt=force by default, which makes Dex always ask (dexidp/dex#3086)
        "prompt": "none",
        "set_authorization_header": True,
        "set_xauthrequest": True,
        "cookie_name": "oauth2_proxy_kubeflow",
        # Dex tokens live 24h; a longer cookie would outlive the JWT Istio checks
        "cookie_expire": "24h",
        "cookie_refresh": 0,
        "cookie_secure": cookie_secure,
        "code_challenge_method": "S256",
        "redirect_url": OAUTH2_PROXY_CALLBACK,
        "relative_redirect_url": True,
        "skip_jwt_bearer_tokens": True,
        "ssl_insecure_skip_verify": allow_self_signed_issuer,
    }


def oauth2_proxy_config_file(cookie_secure: bool, allow_self_signed_issuer: bool) -> str:
    """The settings as oauth2_proxy.cfg (TOML) text. Holds no secret."""
    settings = oauth2_proxy_settings(cookie_secure, allow_self_signed_issuer)
    return "".join(f"{key} = {_toml(value)}\n" for key, value in settings.items())


OAUTH2_PROXY_IMAGE = "quay.io/oauth2-proxy/oauth2-proxy"
"""The chart's image (`image.registry` + `image.repository`; the tag is the matrix's `image_tag`)."""


def oauth2_proxy_values(
    image_tag: str, config_file: str, mirror: ImageMirror | None = None
) -> dict[str, Any]:
    """Helm values: the pinned image (from the mirror registry, if any), credentials from
    OAUTH2_PROXY_CREDENTIALS, the config file."""
    image: dict[str, Any] = {"tag": image_tag}
    if mirror is not None and mirror.registry is not None:
        ref = mirror.image(OAUTH2_PROXY_IMAGE)
        image = {"registry": ref.registry, "repository": ref.repository, **image}
    return {
        "image": image,
        "replicaCount": 2,
        "config": {"existingSecret": OAUTH2_PROXY_CREDENTIALS, "configFile": config_file},
        "podSecurityContext": {"runAsNonRoot": True, "seccompProfile": {"type": "RuntimeDefault"}},
        "resources": {"requests": {"cpu": "10m", "memory": "32Mi"}, "limits": {"memory": "128Mi"}},
    }


def oauth2_proxy_route() -> dict[str, Any]:
    """VirtualService spec: `/oauth2/` on the Kubeflow gateway to oauth2-proxy (kubeflow/manifests)."""
    return gateway_route("/oauth2/", f"oauth2-proxy.{OAUTH2_PROXY_NAMESPACE}.svc.cluster.local", 80)


def gateway_only_policy(login_gateway_apps: Sequence[str] = ()) -> dict[str, Any]:
    """NetworkPolicy spec: only the ingress gateway (kubeflow/manifests) and the further gateways (by
    `app` label) whose login it serves reach oauth2-proxy."""
    further = [gateway_peer(app) for app in login_gateway_apps]
    return gateway_ingress_policy(OAUTH2_PROXY_POD_LABELS, also_from=further)


@dataclass(frozen=True)
class OAuth2ProxyArgs:
    """Chart, image, secrets (cookie secret of COOKIE_SECRET_LENGTH) and the TLS-dependent settings."""

    chart: HelmChart
    image_tag: str
    client_secret: pulumi.Input[str]
    cookie_secret: pulumi.Input[str]
    cookie_secure: bool
    allow_self_signed_issuer: bool
    mirror: ImageMirror = NO_MIRROR
    login_gateway_apps: Sequence[str] = ()
    """Further ingress gateways (their pods' `app` label) that call oauth2-proxy and route `/oauth2/`."""


class OAuth2Proxy(pulumi.ComponentResource):
    """oauth2-proxy in its namespace. Pass in `opts.depends_on` Dex and what installs the Istio CRDs."""

    namespace: k8s.core.v1.Namespace
    release: k8s.helm.v3.Release

    def __init__(self, name: str, args: OAuth2ProxyArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("kfstack:auth:OAuth2Proxy", name, None, opts)
        child = child_options(self, opts)
        self.namespace = k8s.core.v1.Namespace(
            f"ns-{OAUTH2_PROXY_NAMESPACE}",
            metadata=k8s.meta.v1.ObjectMetaArgs(name=OAUTH2_PROXY_NAMESPACE, labels=RESTRICTED),
            opts=child,
        )
        in_namespace = pulumi.ResourceOptions.merge(
            child, pulumi.ResourceOptions(depends_on=[self.namespace])
        )
        credentials = k8s.core.v1.Secret(
            f"{name}-credentials",
            metadata=k8s.meta.v1.ObjectMetaArgs(
                name=OAUTH2_PROXY_CREDENTIALS, namespace=OAUTH2_PROXY_NAMESPACE
            ),
            type="Opaque",
            string_data={
                "client-id": OAUTH2_PROXY_CLIENT_ID,
                "client-secret": pulumi.Output.secret(args.client_secret),
                "cookie-secret": pulumi.Output.secret(args.cookie_secret),
            },
            opts=in_namespace,
        )
        config_file = oauth2_proxy_config_file(args.cookie_secure, args.allow_self_signed_issuer)
        self.release = helm_release(
            name,
            args.chart,
            OAUTH2_PROXY_NAMESPACE,
            oauth2_proxy_values(args.image_tag, config_file, args.mirror),
            pulumi.ResourceOptions.merge(in_namespace, pulumi.ResourceOptions(depends_on=[credentials])),
            release_name="oauth2-proxy",
        )
        k8s.apiextensions.CustomResource(
            f"{name}-route",
            api_version="networking.istio.io/v1",
            kind="VirtualService",
            metadata=k8s.meta.v1.ObjectMetaArgs(name="oauth2-proxy", namespace=OAUTH2_PROXY_NAMESPACE),
            spec=oauth2_proxy_route(),
            opts=in_namespace,
        )
        k8s.networking.v1.NetworkPolicy(
            f"{name}-allow-same-namespace",
            metadata=k8s.meta.v1.ObjectMetaArgs(
                name="default-allow-same-namespace", namespace=OAUTH2_PROXY_NAMESPACE
            ),
            spec=cast(Any, same_namespace_policy()),
            opts=in_namespace,
        )
        k8s.networking.v1.NetworkPolicy(
            f"{name}-allow-istio-ingressgateway",
            metadata=k8s.meta.v1.ObjectMetaArgs(
                name="allow-istio-ingressgateway", namespace=OAUTH2_PROXY_NAMESPACE
            ),
            spec=cast(Any, gateway_only_policy(args.login_gateway_apps)),
            opts=in_namespace,
        )
        self.register_outputs({})
