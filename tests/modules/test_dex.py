"""Dex: its config is kubeflow/manifests' (issuer, storage, oauth2-proxy client) with the secrets only
inside a Secret; route and network policies equal upstream's and select the pods the chart renders."""

from __future__ import annotations

import pulumi
import pulumi_kubernetes as k8s
import yaml

from modules.dex import (
    DEX_POD_LABELS,
    Dex,
    DexArgs,
    DexConnector,
    DexUser,
    dex_config,
    dex_ingress_sources,
    dex_route,
    same_namespace_policy,
)
from modules.helm import HelmChart
from tests.upstream import kubeflow_dir, upstream_object

DEX = "common_dex_overlays_oauth2-proxy.yaml"


def test_config_keeps_upstreams_settings() -> None:
    upstream = yaml.safe_load(upstream_object(DEX, "ConfigMap", "dex", "auth")["data"]["config.yaml"])
    ours = dex_config([("a@example.com", "a", "$2a$10$x")], [], "client-secret")
    for key in ("issuer", "storage", "web", "oauth2", "enablePasswordDB"):
        assert ours[key] == upstream[key], key
    (client,) = ours["staticClients"]
    (upstream_client,) = upstream["staticClients"]
    assert client["redirectURIs"] == upstream_client["redirectURIs"] == ["/oauth2/callback"]
    assert client["secret"] == "client-secret"
    assert ours["staticPasswords"][0]["hash"] == "$2a$10$x"
    assert dex_config([], [], "s")["enablePasswordDB"] is False


def test_route_and_network_policies_equal_upstreams() -> None:
    assert dex_route() == upstream_object(DEX, "VirtualService", "dex")["spec"]
    assert (
        same_namespace_policy()
        == upstream_object(DEX, "NetworkPolicy", "default-allow-same-namespace-auth")["spec"]
    )
    upstream = upstream_object(DEX, "NetworkPolicy", "allow-istio-and-oauth2-proxy")["spec"]
    assert dex_ingress_sources() == upstream["ingress"][0]["from"]


def test_the_config_secret_holds_every_secret_and_the_release_none(record) -> None:
    kubeflow_dir()

    def program() -> None:
        provider = k8s.Provider("k8s", kubeconfig="/dev/null", context="t")
        args = DexArgs(
            chart=HelmChart("dex", "0.24.0", "https://charts.dexidp.io"),
            image_tag="v2.45.0",
            users=[DexUser("a@example.com", "a", pulumi.Output.secret("KNOWN-HASH"))],
            connectors=[
                DexConnector(
                    "github",
                    "gh",
                    "GitHub",
                    {"clientID": "id"},
                    {"clientSecret": pulumi.Output.secret("KNOWN-GH")},
                )
            ],
            client_secret=pulumi.Output.secret("KNOWN-CLIENT"),
        )
        Dex("dex", args, opts=pulumi.ResourceOptions(provider=provider))

    recording = record(program)
    secret = recording.named("dex-config")
    assert secret.inputs["stringData"] == "[secret]"
    release = recording.one("kubernetes:helm.sh/v3:Release")
    assert "KNOWN-" not in repr(release.inputs)
    assert release.inputs["values"]["configSecret"] == {"create": False, "name": "dex-config"}
    assert release.inputs["values"]["image"] == {"tag": "v2.45.0"}
    assert secret.urn in release.dependencies
    for r in recording.resources:
        if r.type != "kubernetes:core/v1:Namespace" and r.inputs.get("metadata", {}).get("namespace"):
            assert recording.named("ns-auth").urn in r.dependencies, r.name
    assert DEX_POD_LABELS == {"app.kubernetes.io/name": "dex", "app.kubernetes.io/instance": "dex"}
