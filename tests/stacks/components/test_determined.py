"""The Determined builder: off in every shipped environment; when on, a release whose resource pools
place tasks on the GPU pools, whose chart renders and validates, and whose passwords stay secret, and
its own ingress gateway behind the Kubeflow login: no RequestAuthentication selects it, oauth2-proxy
checks its session cookie there and leaves Determined's own Authorization header alone."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from kfstack.plan.build import Plan, plan_config
from kfstack.plan.helm_template import RELEASE_TYPE, RenderedRelease, release_validation, rendered_release
from kfstack.plan.recorder import REDACTED
from stacks.components.determined import max_slots_per_pod
from stacks.components.gpu import gpu_placements
from stacks.config.secrets import SecretRef
from tests.conftest import REPO_ROOT

CHARTS = REPO_ROOT.parent / "shared" / "charts"
PASSWORD = "KnownDetPassw0rd-x7"
RENDER_PASSWORD = "Rendered-Passw0rd"
"""Stands in for the redacted secrets when rendering: the chart refuses to render without a password."""


def _enabled(values: dict[str, Any], **settings: Any) -> None:
    """Determined on, with the hostname (and TLS Secret) the environment's gateway settings ask for."""
    gateway = values.get("gateway", {})
    required: dict[str, Any] = {}
    if gateway.get("hostname"):
        required["hostname"] = f"determined.{gateway['hostname']}"
    if gateway.get("tls", {}).get("mode") == "existingSecret":
        required["tlsSecretName"] = "determined-gateway-tls"
    values["components"]["determined"] = {
        "enabled": True,
        "initialUserPassword": SecretRef("v1:det", plaintext=PASSWORD),
        **required,
        **settings,
    }


def _with_secrets_substituted(values: Any) -> Any:
    if isinstance(values, dict):
        return {k: _with_secrets_substituted(v) for k, v in values.items()}
    if isinstance(values, list):
        return [_with_secrets_substituted(v) for v in values]
    return RENDER_PASSWORD if values == REDACTED else values


def _render(plan: Plan, helm: Path) -> RenderedRelease:
    (release,) = plan.find(RELEASE_TYPE, "determined")
    values = _with_secrets_substituted(release.inputs["values"])
    substituted = dataclasses.replace(release, inputs={**release.inputs, "values": values})
    return rendered_release(substituted, CHARTS, plan.config.cluster.kubernetes_version, helm)


def _master_config(rendered: RenderedRelease) -> dict[str, Any]:
    (secret,) = [o.manifest for o in rendered.objects if o.manifest["kind"] == "Secret"]
    return yaml.safe_load(secret["stringData"]["master.yaml"])


@pytest.mark.parametrize("environment", ["local", "dev", "staging", "prod"])
def test_determined_is_absent_from_every_shipped_environment(plan, environment: str) -> None:
    result = plan(environment)
    assert result.find(RELEASE_TYPE, "determined") == []
    assert not [r for r in result.resources if r.inputs.get("metadata", {}).get("namespace") == "determined"]


def test_enabled_determined_installs_the_pinned_chart_in_its_namespace(plan_of) -> None:
    result = plan_of("dev", _enabled)
    (release,) = result.find(RELEASE_TYPE, "determined")
    assert (release.inputs["chart"], release.inputs["version"]) == ("determined", "0.38.1")
    assert release.inputs["namespace"] == "determined"
    (namespace,) = [r for r in result.find("kubernetes:core/v1:Namespace") if r.name == "ns-determined"]
    assert namespace.urn in release.dependencies
    values = release.inputs["values"]
    assert values["db"]["storageClassName"] == "gp3"
    assert values["telemetry"] == {"enabled": False}


def test_resource_pools_carry_each_gpu_pools_node_selector_and_tolerations(plan_of, env_config) -> None:
    config = env_config("dev", _enabled)
    (placement,) = gpu_placements(config).values()
    (release,) = plan_of("dev", _enabled).find(RELEASE_TYPE, "determined")
    pools = {p["pool_name"]: p for p in release.inputs["values"]["resourcePools"]}
    assert set(pools) == {"default", "gpu-a10g"}
    assert "task_container_defaults" not in pools["default"]
    for kind in ("gpu_pod_spec", "cpu_pod_spec"):
        spec = pools["gpu-a10g"]["task_container_defaults"][kind]["spec"]
        assert spec["nodeSelector"] == placement.node_selector
        assert spec["tolerations"] == list(placement.tolerations)
    assert release.inputs["values"]["defaultComputeResourcePool"] == "gpu-a10g"
    assert release.inputs["values"]["defaultAuxResourcePool"] == "default"


def test_the_release_renders_from_the_packaged_chart_and_every_object_validates(
    plan_of, helm: Path, crd_dir: Path
) -> None:
    rendered = _render(plan_of("dev", _enabled), helm)
    validation = release_validation(rendered, crd_dir)
    assert validation.problems == [], "\n".join(p.render() for p in validation.problems)
    assert validation.unchecked == []
    assert rendered.placeholders == []  # the secrets were substituted before rendering
    master = _master_config(rendered)
    gpu = {p["pool_name"]: p for p in master["resource_pools"]}["gpu-a10g"]
    assert gpu["task_container_defaults"]["gpu_pod_spec"]["spec"]["tolerations"] == [
        {"key": "nvidia.com/gpu", "effect": "NoSchedule", "operator": "Exists"}
    ]
    assert master["resource_manager"]["max_slots_per_pod"] == 1  # dev time-slices its GPUs
    services = {
        o.manifest["metadata"]["name"]: o.manifest
        for o in rendered.objects
        if o.manifest["kind"] == "Service"
    }
    assert services["determined-master-service-determined"]["spec"]["type"] == "NodePort"


def test_network_policies_select_the_pods_the_chart_renders(plan_of, helm: Path) -> None:
    result = plan_of("dev", _enabled)
    rendered = _render(result, helm)
    pods = {
        o.manifest["metadata"]["name"]: o.manifest["spec"]["template"]["metadata"]["labels"]
        for o in rendered.objects
        if o.manifest["kind"] == "Deployment"
    }
    policies = {
        r.inputs["metadata"]["name"]: r.inputs["spec"]
        for r in result.find("kubernetes:networking.k8s.io/v1:NetworkPolicy")
        if r.inputs["metadata"]["namespace"] == "determined"
    }
    master_labels = pods["determined-master-deployment-determined"]
    db_labels = pods["determined-db-deployment-determined"]
    master_policy = policies["determined-master-ingress"]
    assert master_policy["podSelector"]["matchLabels"].items() <= master_labels.items()
    (rule,) = master_policy["ingress"]
    assert rule["ports"] == [{"protocol": "TCP", "port": 8081}]
    # the Determined gateway (its pods' labels: test_the_determined_gateway_renders...) and the namespace
    determined_gateway, namespace_pods = rule["from"]
    assert determined_gateway["podSelector"] == {"matchLabels": {"app": "determined-ingressgateway"}}
    assert namespace_pods == {"podSelector": {}}
    db_policy = policies["determined-db-ingress"]
    assert db_policy["podSelector"]["matchLabels"].items() <= db_labels.items()
    assert db_policy["ingress"][0]["from"] == [
        {"podSelector": {"matchLabels": {"app": "determined-master-determined"}}}
    ]
    # the chart labels its own pods determined-system; the task policy leaves them to the policies above
    assert "determined-system" in master_labels and "determined-system" in db_labels


def test_every_image_comes_through_the_mirror(plan_of, helm: Path) -> None:
    def edit(values: dict[str, Any]) -> None:
        _enabled(values)
        values["images"] = {"registry": "registry.example.com/mirror"}

    result = plan_of("dev", edit)
    rendered = _render(result, helm)
    images = [
        c["image"]
        for o in rendered.objects
        for c in o.manifest.get("spec", {}).get("template", {}).get("spec", {}).get("containers", [])
    ]
    task_images = _master_config(rendered)["task_container_defaults"]["image"]
    assert len(images) == 2 and len(task_images) == 3
    for image in [*images, *task_images.values()]:
        assert image.startswith("registry.example.com/mirror/"), image
    (release,) = result.find(RELEASE_TYPE, "determined")
    assert release.inputs["values"]["defaultImages"]["kubeScheduler"].startswith(
        "registry.example.com/mirror/"
    )


def test_the_passwords_are_secrets_in_the_plan_and_never_plain_text(plan_of) -> None:
    result = plan_of("dev", _enabled)
    (release,) = result.find(RELEASE_TYPE, "determined")
    # the chart takes both only as values (no existing-Secret option): Pulumi secrets, redacted here
    assert sorted(p for p in release.secret_paths if p.startswith("values")) == [
        "values.db.password",
        "values.initialUserPassword",
    ]
    assert release.inputs["values"]["initialUserPassword"] == REDACTED
    assert PASSWORD not in result.json_text()
    assert PASSWORD not in json.dumps(release.inputs)


def test_prod_protects_the_release_that_owns_the_database_and_its_password(plan_of) -> None:
    result = plan_of("prod", _enabled)
    (release,) = result.find(RELEASE_TYPE, "determined")
    (password,) = result.find("random:index/randomPassword:RandomPassword", "determined-db-password")
    assert release.protect and release.retain_on_delete
    assert password.protect and password.retain_on_delete
    (dev_release,) = plan_of("dev", _enabled).find(RELEASE_TYPE, "determined")
    assert not dev_release.protect


def test_max_slots_per_pod_is_the_gpu_count_the_pools_share(env_config) -> None:
    def pools(*types: str, replicas: int = 1, **settings: Any):
        def edit(values: dict[str, Any]) -> None:
            _enabled(values, **settings)
            values["nodePools"]["gpu-a10g"]["instanceTypes"] = list(types)
            values["components"]["nvidiaDevicePlugin"] = {"timeSlicingReplicas": replicas}

        return max_slots_per_pod(env_config("dev", edit))

    assert pools("g5.12xlarge", "g5.48xlarge") == 4
    assert pools("g5.48xlarge") == 8
    assert pools("g5.xlarge", "g5.12xlarge") == 1
    assert pools("g5.48xlarge", replicas=4) == 1  # a time-sliced GPU is one per pod
    assert pools("g5.48xlarge", maxSlotsPerPod=2) == 2


# --- Determined's ingress gateway behind the Kubeflow login


def _rendered(plan: Plan, release_name: str, helm: Path) -> RenderedRelease:
    (release,) = plan.find(RELEASE_TYPE, release_name)
    return rendered_release(release, CHARTS, plan.config.cluster.kubernetes_version, helm)


def _pod_labels(rendered: RenderedRelease) -> dict[str, str]:
    (deployment,) = [o.manifest for o in rendered.objects if o.manifest["kind"] == "Deployment"]
    return deployment["spec"]["template"]["metadata"]["labels"]


def _selects(selector: dict[str, Any] | None, labels: dict[str, str]) -> bool:
    """Whether an Istio workload selector selects pods with `labels` (none: every pod of the mesh, for
    a policy in istio-system, the root namespace)."""
    if not selector:
        return True
    return selector["matchLabels"].items() <= labels.items()


def _objects(plan: Plan, kind: str) -> list[dict[str, Any]]:
    return [o for _, o in plan.kubernetes_objects() if o["kind"] == kind]


def _named(plan: Plan, kind: str, name: str) -> dict[str, Any]:
    (found,) = [o for o in _objects(plan, kind) if o["metadata"]["name"] == name]
    return found


@pytest.mark.parametrize("environment", ["dev", "staging", "prod"])
def test_the_plan_with_determined_validates_against_the_crds_and_holds_its_gateway(
    env_config, crd_dir: Path, environment: str
) -> None:
    result = plan_config(environment, env_config(environment, _enabled), crd_dir)
    assert [p.render() for p in result.problems] == []
    kinds = {(o["kind"], o["metadata"]["name"]) for _, o in result.kubernetes_objects()}
    assert {
        ("Gateway", "determined-gateway"),
        ("VirtualService", "determined"),
        ("AuthorizationPolicy", "determined-ingressgateway-oauth2-proxy"),
    } <= kinds
    assert [r.inputs["name"] for r in result.find(RELEASE_TYPE, "determined-gateway")] == [
        "determined-ingressgateway"
    ]


def test_the_determined_gateway_renders_and_validates_and_its_gateway_selects_its_pods(
    plan_of, helm: Path, crd_dir: Path
) -> None:
    result = plan_of("dev", _enabled)
    rendered = _rendered(result, "determined-gateway", helm)
    validation = release_validation(rendered, crd_dir)
    assert validation.problems == [], "\n".join(p.render() for p in validation.problems)
    labels = _pod_labels(rendered)
    gateway = _named(result, "Gateway", "determined-gateway")
    assert gateway["spec"]["selector"].items() <= labels.items()
    kubeflow_labels = _pod_labels(_rendered(result, "istio-gateway", helm))
    assert not _named(result, "Gateway", "kubeflow-gateway")["spec"]["selector"].items() <= labels.items()
    assert not gateway["spec"]["selector"].items() <= kubeflow_labels.items()
    (service,) = [o.manifest for o in rendered.objects if o.manifest["kind"] == "Service"]
    assert service["spec"]["type"] == "LoadBalancer"  # dev's gateway is an internet-facing NLB: so is this
    assert "service.beta.kubernetes.io/aws-load-balancer-internal" not in service["metadata"]["annotations"]
    # the NetworkPolicy peers that name the Determined gateway (master, Dex, oauth2-proxy) select its pods
    peers = [
        peer
        for o in _objects(result, "NetworkPolicy")
        for rule in o["spec"].get("ingress", [])
        for peer in rule.get("from", [])
        if peer.get("podSelector", {}).get("matchLabels", {}).get("app") == "determined-ingressgateway"
    ]
    assert len(peers) == 3
    for peer in peers:
        assert peer["podSelector"]["matchLabels"].items() <= labels.items()
        assert peer["namespaceSelector"] == {"matchLabels": {"kubernetes.io/metadata.name": "istio-system"}}
    assert rendered.spec.namespace == "istio-system"
    (deployment,) = [o.manifest for o in rendered.objects if o.manifest["kind"] == "Deployment"]
    # not the account Kubeflow's AuthorizationPolicies trust (ml-pipeline-ui and others)
    assert deployment["spec"]["template"]["spec"]["serviceAccountName"] == "determined-ingressgateway"


def test_no_request_authentication_selects_the_determined_gateway_and_oauth2_proxy_checks_its_cookie(
    plan_of, helm: Path
) -> None:
    result = plan_of("dev", _enabled)
    determined = _pod_labels(_rendered(result, "determined-gateway", helm))
    kubeflow = _pod_labels(_rendered(result, "istio-gateway", helm))
    request_authentications = _objects(result, "RequestAuthentication")
    assert {o["metadata"]["name"] for o in request_authentications} == {"dex-jwt", "m2m-token-issuer"}
    for policy in request_authentications:
        assert _selects(policy["spec"].get("selector"), kubeflow)  # the check can tell the two apart
        assert not _selects(policy["spec"].get("selector"), determined), policy["metadata"]["name"]
    selecting = [
        o for o in _objects(result, "AuthorizationPolicy") if _selects(o["spec"].get("selector"), determined)
    ]
    assert [o["metadata"]["name"] for o in selecting] == ["determined-ingressgateway-oauth2-proxy"]
    (check,) = selecting
    assert check["spec"]["action"] == "CUSTOM"
    (rule,) = check["spec"]["rules"]
    assert "when" not in rule  # every request, whatever its Authorization header holds
    assert rule["to"] == [
        {"operation": {"notPaths": ["/dex/*", "/dex/**", "/oauth2/*", "/.well-known/acme-challenge/*"]}}
    ]
    (istiod,) = result.find(RELEASE_TYPE, "istio-istiod")
    providers = {p["name"]: p for p in istiod.inputs["values"]["meshConfig"]["extensionProviders"]}
    session = providers[check["spec"]["provider"]["name"]]["envoyExtAuthzHttp"]
    assert session["service"] == providers["oauth2-proxy"]["envoyExtAuthzHttp"]["service"]
    # Determined's own `Authorization: Bearer` token must reach the master: nothing is written upstream
    assert "authorization" not in [h.lower() for h in session.get("headersToUpstreamOnAllow", [])]
    assert "authorization" in providers["oauth2-proxy"]["envoyExtAuthzHttp"]["headersToUpstreamOnAllow"]
    assert session["includeRequestHeadersInCheck"] == ["cookie"]


def test_istiod_renders_both_providers_into_the_mesh_config(plan_of, helm: Path) -> None:
    result = plan_of("dev", _enabled)
    rendered = _rendered(result, "istio-istiod", helm)
    (mesh_config,) = [
        o.manifest
        for o in rendered.objects
        if o.manifest["kind"] == "ConfigMap" and o.manifest["metadata"]["name"] == "istio"
    ]
    providers = yaml.safe_load(mesh_config["data"]["mesh"])["extensionProviders"]
    assert [p["name"] for p in providers] == ["oauth2-proxy", "oauth2-proxy-session"]


def test_without_determined_the_mesh_has_only_kubeflows_provider(plan) -> None:
    (istiod,) = plan("dev").find(RELEASE_TYPE, "istio-istiod")
    assert [p["name"] for p in istiod.inputs["values"]["meshConfig"]["extensionProviders"]] == [
        "oauth2-proxy"
    ]


def test_the_route_sends_the_login_to_dex_and_oauth2_proxy_and_the_rest_to_the_master(
    plan_of, helm: Path
) -> None:
    result = plan_of("dev", _enabled)
    route = _named(result, "VirtualService", "determined")
    gateway = _named(result, "Gateway", "determined-gateway")
    assert route["spec"]["gateways"] == [f"{gateway['metadata']['namespace']}/determined-gateway"]

    def destination(spec: dict[str, Any]) -> tuple[str, int]:
        target = spec["route"][0]["destination"]
        return target["host"], target["port"]["number"]

    dex, oauth2, acme, master = route["spec"]["http"]
    assert destination(dex) == destination(_named(result, "VirtualService", "dex")["spec"]["http"][0])
    assert dex["match"] == [{"uri": {"prefix": "/dex/"}}]
    assert destination(oauth2) == destination(
        _named(result, "VirtualService", "oauth2-proxy")["spec"]["http"][0]
    )
    assert acme["match"] == [{"uri": {"prefix": "/.well-known/acme-challenge/"}}]
    (kubeflow_service,) = [
        o.manifest
        for o in _rendered(result, "istio-gateway", helm).objects
        if o.manifest["kind"] == "Service"
    ]
    ports = [p["port"] for p in kubeflow_service["spec"]["ports"]]
    assert destination(acme) == (f"{kubeflow_service['metadata']['name']}.istio-system.svc.cluster.local", 80)
    assert 80 in ports
    assert "match" not in master  # everything else
    services = {
        o.manifest["metadata"]["name"]: o.manifest
        for o in _render(result, helm).objects
        if o.manifest["kind"] == "Service"
    }
    host, port = destination(master)
    name, namespace = host.split(".")[:2]
    assert namespace == "determined"
    assert port in [p["port"] for p in services[name]["spec"]["ports"]]


def test_dex_and_oauth2_proxy_admit_the_determined_gateway_only_when_it_exists(plan, plan_of) -> None:
    def sources(result: Plan) -> dict[str, list[dict[str, Any]]]:
        return {
            o["metadata"]["namespace"]: o["spec"]["ingress"][0]["from"]
            for o in _objects(result, "NetworkPolicy")
            if o["metadata"]["name"] in ("allow-istio-and-oauth2-proxy", "allow-istio-ingressgateway")
        }

    peer = {
        "namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "istio-system"}},
        "podSelector": {"matchLabels": {"app": "determined-ingressgateway"}},
    }
    on, off = sources(plan_of("dev", _enabled)), sources(plan("dev"))
    assert set(on) == set(off) == {"auth", "oauth2-proxy"}
    for namespace in on:
        assert peer in on[namespace] and peer not in off[namespace]
        assert [p for p in on[namespace] if p != peer] == off[namespace]


def test_the_certificate_comes_from_the_kubeflow_gateways_issuer_or_the_given_secret(plan_of) -> None:
    dev = plan_of("dev", _enabled)
    (issuer,) = _objects(dev, "ClusterIssuer")
    certificate = _named(dev, "Certificate", "determined-gateway")
    assert certificate["spec"]["issuerRef"]["name"] == issuer["metadata"]["name"]
    assert certificate["spec"]["dnsNames"] == ["determined.kubeflow.dev.example.com"]
    https = _named(dev, "Gateway", "determined-gateway")["spec"]["servers"][1]
    assert https["hosts"] == ["determined.kubeflow.dev.example.com"]
    assert https["tls"]["credentialName"] == certificate["spec"]["secretName"]
    prod = plan_of("prod", _enabled)
    assert [o["metadata"]["name"] for o in _objects(prod, "Certificate")] == []
    https = _named(prod, "Gateway", "determined-gateway")["spec"]["servers"][1]
    assert https["tls"]["credentialName"] == "determined-gateway-tls"
    assert "match" not in _named(prod, "VirtualService", "determined")["spec"]["http"][2]  # no ACME route


def test_the_url_and_the_port_forward_follow_the_gateway_service(plan_of, exports) -> None:
    plan_of("dev", _enabled)
    assert exports["determinedUrl"] == "https://determined.kubeflow.dev.example.com/det/"
    assert "determinedPortForward" not in exports

    def cluster_ip(values: dict[str, Any]) -> None:
        values["gateway"]["loadBalancer"] = "none"
        _enabled(values)

    exports.clear()
    plan_of("staging", cluster_ip)
    assert exports["determinedPortForward"].endswith(
        "-n istio-system port-forward svc/determined-ingressgateway 8090:80"
    )


def test_no_policy_of_the_kubeflow_manifests_applies_to_the_determined_gateway(
    env_config, helm: Path
) -> None:
    from tests.stacks.components.kubeflow_parts import checked_plan, with_local_manifests

    result = checked_plan("dev", env_config("dev", with_local_manifests(_enabled)))
    assert result.find("kfstack:kustomize:Install")  # the kustomizations' objects are in this plan
    labels = _pod_labels(_rendered(result, "determined-gateway", helm))
    applying = [
        (o["kind"], o["metadata"]["name"])
        for kind in ("RequestAuthentication", "AuthorizationPolicy", "PeerAuthentication")
        for o in _objects(result, kind)
        # a policy applies to pods of its own namespace, or to all namespaces from istio-system (the root)
        if o["metadata"].get("namespace") == "istio-system" and _selects(o["spec"].get("selector"), labels)
    ]
    assert applying == [("AuthorizationPolicy", "determined-ingressgateway-oauth2-proxy")]
