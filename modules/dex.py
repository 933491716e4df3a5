"""Dex, the OpenID Connect provider behind the Kubeflow login: namespace, its whole config as a
Secret (static users' hashes and connector credentials are secrets), the Helm release, the route
through the Kubeflow gateway and the network policies kubeflow/manifests gives it."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, cast

import pulumi
import pulumi_kubernetes as k8s
import yaml

from modules.helm import HelmChart, helm_release
from modules.images import NO_MIRROR, ImageMirror
from modules.istio import GATEWAY_LABELS, ISTIO_NAMESPACE
from modules.kubeflow_gateway import gateway_peer, gateway_route
from modules.options import child_options

DEX_NAMESPACE = "auth"
DEX_SERVICE = "dex"
DEX_PORT = 5556
DEX_ISSUER = f"http://{DEX_SERVICE}.{DEX_NAMESPACE}.svc.cluster.local:{DEX_PORT}/dex"
DEX_CONFIG_SECRET = "dex-config"
DEX_POD_LABELS = {"app.kubernetes.io/name": "dex", "app.kubernetes.io/instance": "dex"}
"""The selector labels the dex chart gives the pods of the release named `dex`."""
OAUTH2_PROXY_CLIENT_ID = "kubeflow-oidc-authservice"
"""The Dex client oauth2-proxy logs in as (kubeflow/manifests' id)."""
OAUTH2_PROXY_CALLBACK = "/oauth2/callback"
OAUTH2_PROXY_NAMESPACE = "oauth2-proxy"
OAUTH2_PROXY_POD_LABELS = {"app.kubernetes.io/name": "oauth2-proxy"}
"""A selector label the oauth2-proxy chart puts on its pods (kubeflow/manifests selects by it too)."""
RESTRICTED = {"pod-security.kubernetes.io/enforce": "restricted"}


@dataclass(frozen=True)
class DexUser:
    """A static (password database) user; `password_hash` is a bcrypt hash, a secret."""

    email: str
    username: str
    password_hash: pulumi.Input[str]


@dataclass(frozen=True)
class DexConnector:
    """An upstream identity provider: its Dex `config`, plus config keys whose values are secrets."""

    type: str
    id: str
    name: str
    config: Mapping[str, Any] = field(default_factory=dict)
    secrets: Mapping[str, pulumi.Input[str]] = field(default_factory=dict)


@dataclass(frozen=True)
class DexArgs:
    """The pinned chart and image, users, connectors and oauth2-proxy's client secret."""

    chart: HelmChart
    image_tag: str
    users: Sequence[DexUser]
    connectors: Sequence[DexConnector]
    client_secret: pulumi.Input[str]
    mirror: ImageMirror = NO_MIRROR
    login_gateway_apps: Sequence[str] = ()
    """Further ingress gateways (their pods' `app` label) that route `/dex/` to Dex."""


def user_id(email: str) -> str:
    """A stable Dex user id for a static user (Dex needs one; the e-mail is the login)."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"kfstack:dex:{email}"))


def dex_config(
    users: Sequence[tuple[str, str, str]],
    connectors: Sequence[dict[str, Any]],
    client_secret: str,
) -> dict[str, Any]:
    """Dex's config.yaml (as kubeflow/manifests 26.03 configures Dex), with the secrets filled in.

    `users` are (email, username, bcrypt hash); `connectors` complete Dex connector entries.
    """
    return {
        "issuer": DEX_ISSUER,
        "storage": {"type": "kubernetes", "config": {"inCluster": True}},
        "web": {"http": f"0.0.0.0:{DEX_PORT}"},
        "logger": {"level": "info", "format": "text"},
        "oauth2": {"skipApprovalScreen": True},
        "enablePasswordDB": bool(users),
        "staticPasswords": [
            {"email": email, "username": username, "hash": hash_, "userID": user_id(email)}
            for email, username, hash_ in users
        ],
        "staticClients": [
            {
                "id": OAUTH2_PROXY_CLIENT_ID,
                "name": "Dex Login Application",
                "redirectURIs": [OAUTH2_PROXY_CALLBACK],
                "secret": client_secret,
            }
        ],
        "connectors": list(connectors),
    }


DEX_IMAGE = "ghcr.io/dexidp/dex"
"""The chart's image repository (the tag is the matrix's `image_tag`)."""


def dex_values(image_tag: str, mirror: ImageMirror | None = None) -> dict[str, Any]:
    """Helm values: the pinned image (from the mirror registry, if any), the config from
    DEX_CONFIG_SECRET, restricted security context."""
    image = {"tag": image_tag}
    if mirror is not None and mirror.registry is not None:
        image = {"repository": mirror(DEX_IMAGE), **image}
    return {
        "image": image,
        "configSecret": {"create": False, "name": DEX_CONFIG_SECRET},
        "envVars": [
            {
                "name": "KUBERNETES_POD_NAMESPACE",
                "valueFrom": {"fieldRef": {"fieldPath": "metadata.namespace"}},
            }
        ],
        "podSecurityContext": {"runAsNonRoot": True, "seccompProfile": {"type": "RuntimeDefault"}},
        "securityContext": {
            "allowPrivilegeEscalation": False,
            "capabilities": {"drop": ["ALL"]},
            "readOnlyRootFilesystem": True,
            "runAsNonRoot": True,
            "runAsUser": 1001,
            "runAsGroup": 1001,
        },
        "resources": {"requests": {"cpu": "50m", "memory": "64Mi"}, "limits": {"memory": "256Mi"}},
    }


def dex_route() -> dict[str, Any]:
    """VirtualService spec: `/dex/` on the Kubeflow gateway to the Dex Service (kubeflow/manifests)."""
    return gateway_route("/dex/", f"{DEX_SERVICE}.{DEX_NAMESPACE}.svc.cluster.local", DEX_PORT)


def dex_ingress_sources(login_gateway_apps: Sequence[str] = ()) -> list[dict[str, Any]]:
    """Who may reach Dex (kubeflow/manifests' allow-istio-and-oauth2-proxy): the ingress gateway,
    istiod (fetches Dex's keys for the RequestAuthentication) and oauth2-proxy (redeems codes); and
    the further ingress gateways (by `app` label) that serve the login too."""

    def peer(namespace: str, labels: Mapping[str, str]) -> dict[str, Any]:
        return {
            "namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": namespace}},
            "podSelector": {"matchLabels": dict(labels)},
        }

    return [
        peer(ISTIO_NAMESPACE, {"app": GATEWAY_LABELS["app"]}),
        peer(ISTIO_NAMESPACE, {"app": "istiod"}),
        peer(OAUTH2_PROXY_NAMESPACE, OAUTH2_PROXY_POD_LABELS),
        *(gateway_peer(app) for app in login_gateway_apps),
    ]


def same_namespace_policy() -> dict[str, Any]:
    """NetworkPolicy spec letting every pod of a namespace reach the others."""
    return {"podSelector": {}, "ingress": [{"from": [{"podSelector": {}}]}], "policyTypes": ["Ingress"]}


def _config_yaml(args: DexArgs) -> pulumi.Output[str]:
    secrets: list[pulumi.Input[str]] = [args.client_secret]
    secrets += [user.password_hash for user in args.users]
    for connector in args.connectors:
        secrets += list(connector.secrets.values())

    def render(values: list[str]) -> str:
        client_secret, rest = values[0], iter(values[1:])
        users = [(u.email, u.username, next(rest)) for u in args.users]
        connectors = []
        for c in args.connectors:
            config = {**c.config, **{key: next(rest) for key in c.secrets}}
            connectors.append({"type": c.type, "id": c.id, "name": c.name, "config": config})
        return yaml.safe_dump(dex_config(users, connectors, client_secret), sort_keys=False)

    return pulumi.Output.secret(pulumi.Output.all(*secrets).apply(render))


class Dex(pulumi.ComponentResource):
    """Dex in `auth`. Pass in `opts.depends_on` what installs the Istio CRDs (the route) and the gateway."""

    namespace: k8s.core.v1.Namespace
    release: k8s.helm.v3.Release

    def __init__(
        self,
        name: str,
        args: DexArgs,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__("kfstack:auth:Dex", name, None, opts)
        child = child_options(self, opts)
        self.namespace = k8s.core.v1.Namespace(
            f"ns-{DEX_NAMESPACE}",
            metadata=k8s.meta.v1.ObjectMetaArgs(name=DEX_NAMESPACE, labels=RESTRICTED),
            opts=child,
        )
        in_namespace = pulumi.ResourceOptions.merge(
            child, pulumi.ResourceOptions(depends_on=[self.namespace])
        )
        config = k8s.core.v1.Secret(
            f"{name}-config",
            metadata=k8s.meta.v1.ObjectMetaArgs(name=DEX_CONFIG_SECRET, namespace=DEX_NAMESPACE),
            type="Opaque",
            string_data={"config.yaml": _config_yaml(args)},
            opts=in_namespace,
        )
        self.release = helm_release(
            name,
            args.chart,
            DEX_NAMESPACE,
            dex_values(args.image_tag, args.mirror),
            pulumi.ResourceOptions.merge(in_namespace, pulumi.ResourceOptions(depends_on=[config])),
            release_name="dex",
        )
        k8s.apiextensions.CustomResource(
            f"{name}-route",
            api_version="networking.istio.io/v1",
            kind="VirtualService",
            metadata=k8s.meta.v1.ObjectMetaArgs(name="dex", namespace=DEX_NAMESPACE),
            spec=dex_route(),
            opts=in_namespace,
        )
        k8s.networking.v1.NetworkPolicy(
            f"{name}-allow-same-namespace",
            metadata=k8s.meta.v1.ObjectMetaArgs(name="default-allow-same-namespace", namespace=DEX_NAMESPACE),
            spec=cast(Any, same_namespace_policy()),
            opts=in_namespace,
        )
        k8s.networking.v1.NetworkPolicy(
            f"{name}-allow-istio-and-oauth2-proxy",
            metadata=k8s.meta.v1.ObjectMetaArgs(name="allow-istio-and-oauth2-proxy", namespace=DEX_NAMESPACE),
            spec=cast(
                Any,
                {
                    "podSelector": {"matchLabels": DEX_POD_LABELS},
                    "ingress": [{"from": dex_ingress_sources(args.login_gateway_apps)}],
                    "policyTypes": ["Ingress"],
                },
            ),
            opts=in_namespace,
        )
        self.register_outputs({})
