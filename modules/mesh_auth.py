"""Authentication at the Kubeflow gateway, as kubeflow/manifests 26.03 sets it up: Dex JWTs and
machine-to-machine Kubernetes service-account tokens (RequestAuthentications), oauth2-proxy ext-authz
for browser requests and a deny for requests without a verified principal (AuthorizationPolicies),
and, where the API server's keys are not public, a proxy serving them to istiod."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, cast

import pulumi
import pulumi_kubernetes as k8s

from modules.dex import DEX_ISSUER
from modules.images import NO_MIRROR, ImageMirror
from modules.istio import EXT_AUTHZ_PROVIDER, GATEWAY_LABELS, ISTIO_NAMESPACE
from modules.options import child_options

LOGIN_PATHS = ("/dex/*", "/dex/**", "/oauth2/*")
"""Paths reachable without a login (the login itself)."""
IN_CLUSTER_ISSUERS = ("https://kubernetes.default.svc.cluster.local", "https://kubernetes.default.svc")
"""Service-account token issuers of kind, k3d, minikube and most kubeadm clusters."""
JWKS_PROXY = "cluster-jwks-proxy"
JWKS_PROXY_LABELS = {"app.kubernetes.io/name": JWKS_PROXY}
JWKS_PROXY_URI = f"http://{JWKS_PROXY}.{ISTIO_NAMESPACE}.svc.cluster.local/openid/v1/jwks"
JWKS_PROXY_IMAGE = "registry.k8s.io/kubectl:v1.34.1"
"""kubectl from the Kubernetes release images (pinned; upstream uses bitnamisecure/kubectl:latest)."""


@dataclass(frozen=True)
class TokenIssuer:
    """A service-account token issuer and, when istiod cannot discover its keys, where they are."""

    issuer: pulumi.Input[str]
    jwks_uri: str | None = None


def jwt_rule(issuer: pulumi.Input[str], user_claim: str, jwks_uri: str | None = None) -> dict[str, Any]:
    """A JWT rule: the token from `Authorization: Bearer`, forwarded, its claims in Kubeflow's headers."""
    rule: dict[str, Any] = {"issuer": issuer}
    if jwks_uri is not None:
        rule["jwksUri"] = jwks_uri
    rule.update(
        {
            "forwardOriginalToken": True,
            # groups is always written, so a client cannot send its own kubeflow-groups header
            "outputClaimToHeaders": [
                {"header": "kubeflow-userid", "claim": user_claim},
                {"header": "kubeflow-groups", "claim": "groups"},
            ],
            "fromHeaders": [{"name": "Authorization", "prefix": "Bearer "}],
        }
    )
    return rule


def gateway_selector() -> dict[str, Any]:
    """Selects the ingress gateway pods (policies apply there only, not to every pod in the mesh)."""
    return {"matchLabels": {"app": GATEWAY_LABELS["app"]}}


def dex_jwt_spec() -> dict[str, Any]:
    """RequestAuthentication `dex-jwt`: Dex tokens, e-mail as `kubeflow-userid`."""
    return {"selector": gateway_selector(), "jwtRules": [jwt_rule(DEX_ISSUER, "email")]}


def m2m_spec(issuers: Sequence[TokenIssuer]) -> dict[str, Any]:
    """RequestAuthentication `m2m-token-issuer`: service-account tokens, `sub` as `kubeflow-userid`."""
    return {
        "selector": gateway_selector(),
        "jwtRules": [jwt_rule(i.issuer, "sub", i.jwks_uri) for i in issuers],
    }


def ext_authz_spec(public_paths: Sequence[str]) -> dict[str, Any]:
    """AuthorizationPolicy: requests without an Authorization header are checked by oauth2-proxy."""
    return {
        "action": "CUSTOM",
        "provider": {"name": EXT_AUTHZ_PROVIDER},
        "selector": gateway_selector(),
        "rules": [
            {
                "when": [{"key": "request.headers[authorization]", "notValues": ["*"]}],
                "to": [{"operation": {"notPaths": [*LOGIN_PATHS, *public_paths]}}],
            }
        ],
    }


def require_jwt_spec(public_paths: Sequence[str]) -> dict[str, Any]:
    """AuthorizationPolicy: deny requests without a verified JWT (oauth2-proxy injects Dex's)."""
    return {
        "action": "DENY",
        "selector": gateway_selector(),
        "rules": [
            {
                "from": [{"source": {"notRequestPrincipals": ["*"]}}],
                "to": [{"operation": {"notPaths": [*LOGIN_PATHS, *public_paths]}}],
            }
        ],
    }


def jwks_proxy_container(mirror: ImageMirror | None = None) -> dict[str, Any]:
    """`kubectl proxy` serving only the API server's JWKS and discovery document, GET only (its image
    from the mirror registry, if any)."""
    probe = {"httpGet": {"path": "/openid/v1/jwks", "port": "http"}, "periodSeconds": 15, "timeoutSeconds": 5}
    return {
        "name": "kubectl-proxy",
        "image": (mirror or NO_MIRROR)(JWKS_PROXY_IMAGE),
        "args": [
            "proxy",
            "--address=0.0.0.0",
            "--port=8080",
            "--accept-hosts=.*",
            "--accept-paths=^(?:/openid/v1/jwks)|(?:/.well-known/openid-configuration)$",
            "--reject-methods=^(POST|PUT|PATCH|DELETE|HEAD|OPTIONS|CONNECT|TRACE)$",
        ],
        "ports": [{"name": "http", "containerPort": 8080}],
        "startupProbe": {**probe, "periodSeconds": 5, "timeoutSeconds": 2, "failureThreshold": 12},
        "readinessProbe": probe,
        "livenessProbe": probe,
        "resources": {"requests": {"cpu": "10m", "memory": "32Mi"}, "limits": {"memory": "64Mi"}},
        "securityContext": {
            "allowPrivilegeEscalation": False,
            "capabilities": {"drop": ["ALL"]},
            "readOnlyRootFilesystem": True,
            "runAsNonRoot": True,
            "runAsUser": 65532,
            "seccompProfile": {"type": "RuntimeDefault"},
        },
    }


@dataclass(frozen=True)
class MeshAuthArgs:
    """The service-account token issuers to trust; `jwks_proxy` when one of them needs the proxy."""

    token_issuers: Sequence[TokenIssuer]
    jwks_proxy: bool
    public_paths: Sequence[str] = ()
    """Further paths that need no login (e.g. the ACME HTTP-01 challenge)."""
    mirror: ImageMirror = NO_MIRROR
    """Where the JWKS proxy's image is pulled from."""


class MeshAuth(pulumi.ComponentResource):
    """The gateway's RequestAuthentications and AuthorizationPolicies in istio-system.

    Pass in `opts.depends_on` the Istio base release (the CRDs) and the istio-system namespace.
    """

    def __init__(self, name: str, args: MeshAuthArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("kfstack:auth:MeshAuth", name, None, opts)
        child = child_options(self, opts)

        def istio_object(logical: str, kind: str, object_name: str, spec: dict[str, Any]) -> None:
            k8s.apiextensions.CustomResource(
                logical,
                api_version="security.istio.io/v1",
                kind=kind,
                metadata=k8s.meta.v1.ObjectMetaArgs(name=object_name, namespace=ISTIO_NAMESPACE),
                spec=spec,
                opts=child,
            )

        istio_object(f"{name}-dex-jwt", "RequestAuthentication", "dex-jwt", dex_jwt_spec())
        istio_object(f"{name}-m2m", "RequestAuthentication", "m2m-token-issuer", m2m_spec(args.token_issuers))
        istio_object(
            f"{name}-ext-authz",
            "AuthorizationPolicy",
            "istio-ingressgateway-oauth2-proxy",
            ext_authz_spec(args.public_paths),
        )
        istio_object(
            f"{name}-require-jwt",
            "AuthorizationPolicy",
            "istio-ingressgateway-require-jwt",
            require_jwt_spec(args.public_paths),
        )
        if args.jwks_proxy:
            self._jwks_proxy(name, child, args.mirror)
        self.register_outputs({})

    def _jwks_proxy(self, name: str, child: pulumi.ResourceOptions, mirror: ImageMirror) -> None:
        # Reading /openid/v1/jwks needs system:service-account-issuer-discovery, which Kubernetes binds
        # to every service account by default; no binding for unauthenticated users is needed.
        metadata = k8s.meta.v1.ObjectMetaArgs(
            name=JWKS_PROXY, namespace=ISTIO_NAMESPACE, labels=JWKS_PROXY_LABELS
        )
        account = k8s.core.v1.ServiceAccount(f"{name}-jwks-proxy", metadata=metadata, opts=child)
        k8s.apps.v1.Deployment(
            f"{name}-jwks-proxy",
            metadata=metadata,
            spec=cast(
                Any,
                {
                    "replicas": 1,
                    "selector": {"matchLabels": JWKS_PROXY_LABELS},
                    "template": {
                        "metadata": {"labels": JWKS_PROXY_LABELS},
                        "spec": {
                            "serviceAccountName": JWKS_PROXY,
                            "securityContext": {
                                "runAsNonRoot": True,
                                "seccompProfile": {"type": "RuntimeDefault"},
                            },
                            "containers": [jwks_proxy_container(mirror)],
                        },
                    },
                },
            ),
            opts=pulumi.ResourceOptions.merge(child, pulumi.ResourceOptions(depends_on=[account])),
        )
        k8s.core.v1.Service(
            f"{name}-jwks-proxy",
            metadata=metadata,
            spec=cast(
                Any,
                {
                    "selector": JWKS_PROXY_LABELS,
                    "ports": [{"name": "http", "port": 80, "targetPort": "http"}],
                },
            ),
            opts=child,
        )
