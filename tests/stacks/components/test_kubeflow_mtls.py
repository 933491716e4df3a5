"""Mutual TLS in `kubeflow`, proved against kubeflow/manifests 26.03: every port that a client without a
sidecar is configured to call on an injected pod (the API server's webhooks, sidecar-less upstream pods,
pipeline pods) is PERMISSIVE, the selectors match the upstream pods, and the mesh default is untouched."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import yaml

from stacks.components.kubeflow_mtls import NAMESPACE, pipelines_exceptions
from tests.upstream import rendered_objects, upstream_object

PIPELINES = "applications_pipeline_upstream_env_cert-manager_platform-agnostic-multi-user.yaml"
INSTALLED_IN_KUBEFLOW = (
    PIPELINES,
    "applications_admission-webhook_upstream_overlays_cert-manager.yaml",
    "applications_profiles_upstream_overlays_kubeflow.yaml",
    "applications_centraldashboard_overlays_oauth2-proxy.yaml",
)
PEER_AUTHENTICATION = "kubernetes:security.istio.io/v1:PeerAuthentication"
URL = re.compile(r"^https?://([a-z0-9-]+)(?:\.([a-z0-9-]+))?[^:/]*:(\d+)")


def _objects() -> list[dict[str, Any]]:
    return [o for f in INSTALLED_IN_KUBEFLOW for o in rendered_objects(f)]


def _pods() -> list[dict[str, Any]]:
    """The pod templates of upstream's workloads, with the workload's name."""
    return [
        {"name": o["metadata"]["name"], **o["spec"]["template"]}
        for o in _objects()
        if o["kind"] in ("Deployment", "StatefulSet") and o["metadata"].get("namespace") == NAMESPACE
    ]


def _injected(pod: dict[str, Any]) -> bool:
    """`kubeflow` is labelled istio-injection=enabled: a pod is injected unless it opts out."""
    meta = pod["metadata"]
    opt_out = {**(meta.get("annotations") or {}), **(meta.get("labels") or {})}.get("sidecar.istio.io/inject")
    return opt_out != "false"


def _permissive(labels: dict[str, str], port: int) -> bool:
    return any(e.selector.items() <= labels.items() and port in e.ports for e in pipelines_exceptions())


def _backends(service_name: str, service_port: int) -> Iterator[tuple[dict[str, Any], int]]:
    """The upstream pods behind a `kubeflow` Service port, each with the container port it reaches."""
    (service,) = [o for o in _objects() if o["kind"] == "Service" and o["metadata"]["name"] == service_name]
    (port,) = [p for p in service["spec"]["ports"] if p["port"] == service_port]
    target = port.get("targetPort", port["port"])
    selector = service["spec"]["selector"].items()
    for pod in _pods():
        if selector <= pod["metadata"]["labels"].items():
            ports = [p for c in pod["spec"]["containers"] for p in c.get("ports", [])]
            named = [p["containerPort"] for p in ports if p.get("name") == target]
            yield pod, named[0] if isinstance(target, str) else target


def _unreachable(calls: set[tuple[str, int]]) -> list[str]:
    """Calls that would reach an injected pod on a port that is not PERMISSIVE."""
    return [
        f"{service}:{port} -> {pod['name']}:{target}"
        for service, port in sorted(calls)
        for pod, target in _backends(service, port)
        if _injected(pod) and not _permissive(pod["metadata"]["labels"], target)
    ]


def test_every_webhook_served_by_an_injected_pod_is_permissive() -> None:
    calls = {
        (w["clientConfig"]["service"]["name"], w["clientConfig"]["service"].get("port", 443))
        for o in _objects()
        if o["kind"] in ("MutatingWebhookConfiguration", "ValidatingWebhookConfiguration")
        for w in o["webhooks"]
        if w["clientConfig"]["service"]["namespace"] == NAMESPACE
    }
    assert calls == {("cache-server", 443), ("admission-webhook-service", 443)}
    assert _unreachable(calls) == []
    # the PodDefault webhook needs no exception: its pod has no sidecar, so no policy applies to it
    ((pod_defaults, _),) = _backends("admission-webhook-service", 443)
    assert not _injected(pod_defaults)


def _socket_addresses(node: Any) -> Iterator[tuple[str, int]]:
    if isinstance(node, dict):
        if "address" in node and "port_value" in node:
            yield node["address"], node["port_value"]
        for value in node.values():
            yield from _socket_addresses(value)
    elif isinstance(node, list):
        for value in node:
            yield from _socket_addresses(value)


def _calls_of(pod: dict[str, Any]) -> set[tuple[str, int]]:
    """`kubeflow` Services a pod is configured to call: URLs in its env, addresses in mounted config."""
    calls: set[tuple[str, int]] = set()
    for container in pod["spec"]["containers"]:
        for env in container.get("env") or []:
            if (match := URL.match(env.get("value") or "")) and match[2] in (None, NAMESPACE):
                calls.add((match[1], int(match[3])))
    for volume in pod["spec"].get("volumes") or []:
        if "configMap" not in volume:
            continue
        config_map = upstream_object(PIPELINES, "ConfigMap", volume["configMap"]["name"], NAMESPACE)
        for text in config_map["data"].values():
            if text.lstrip().startswith(("admin:", "static_resources:")):  # an Envoy bootstrap
                calls |= {(a, p) for a, p in _socket_addresses(yaml.safe_load(text)) if a != "0.0.0.0"}
    return calls


def test_every_port_a_sidecarless_upstream_pod_calls_on_an_injected_pod_is_permissive() -> None:
    sidecarless = [pod for pod in _pods() if not _injected(pod)]
    calls = set().union(*(_calls_of(pod) for pod in sidecarless))
    # metacontroller (no sidecar) calls the profile controller's sync hook (no sidecar either)
    hooks = [
        h["webhook"]["url"]
        for o in rendered_objects(PIPELINES)
        if o["kind"] == "DecoratorController"
        for h in o["spec"]["hooks"].values()
    ]
    assert hooks == ["http://kubeflow-pipelines-profile-controller/sync"]
    calls.add(("kubeflow-pipelines-profile-controller", 80))
    assert {("seaweedfs", 8111), ("seaweedfs", 8333), ("metadata-grpc-service", 8080)} <= calls
    assert _unreachable(calls) == []


def test_ports_pipeline_pods_are_configured_to_call_are_permissive() -> None:
    sync = next(o["data"]["sync.py"] for o in rendered_objects(PIPELINES) if "sync.py" in o.get("data", {}))
    (metadata_port,) = re.findall(r'"METADATA_GRPC_SERVICE_PORT": "(\d+)"', sync)
    (object_store_port,) = re.findall(r"\.kubeflow\{_normalize_domain\(cluster_domain\)\}:(\d+)", sync)
    api = upstream_object(PIPELINES, "Service", "ml-pipeline", NAMESPACE)
    calls = {("metadata-grpc-service", int(metadata_port)), ("seaweedfs", int(object_store_port))}
    calls |= {("ml-pipeline", p["port"]) for p in api["spec"]["ports"]}
    assert calls == {
        ("metadata-grpc-service", 8080),
        ("seaweedfs", 9000),
        ("ml-pipeline", 8888),
        ("ml-pipeline", 8887),
    }
    assert _unreachable(calls) == []


def test_each_exception_selects_one_injected_upstream_workload_by_its_labels_and_ports() -> None:
    for exception in pipelines_exceptions():
        (pod,) = [p for p in _pods() if exception.selector.items() <= p["metadata"]["labels"].items()]
        assert _injected(pod), f"{exception.name}: {pod['name']} has no sidecar, the exception is moot"
        ports = {p["containerPort"] for c in pod["spec"]["containers"] for p in c.get("ports", [])}
        assert set(exception.ports) <= ports, f"{exception.name}: {pod['name']} listens on {ports}"


def test_the_plan_is_strict_in_kubeflow_only_and_after_the_istio_crds(plan) -> None:
    result = plan("local")
    (base,) = result.find("kubernetes:helm.sh/v3:Release", "istio-base")
    policies = result.find(PEER_AUTHENTICATION)
    assert {p.inputs["metadata"]["namespace"] for p in policies} == {NAMESPACE}
    assert sorted(p.inputs["metadata"]["name"] for p in policies) == sorted(
        ["default", *(e.name for e in pipelines_exceptions())]
    )
    assert all(base.urn in p.dependencies for p in policies)
    assert result.problems == []  # every PeerAuthentication validated against its CRD schema


def test_without_pipelines_kubeflow_is_strict_without_exceptions(plan_of) -> None:
    def pipelines_off(values: dict) -> None:
        values["components"]["kubeflowPipelines"] = {"enabled": False}

    (policy,) = plan_of("local", pipelines_off).find(PEER_AUTHENTICATION)
    assert policy.inputs["metadata"] == {"name": "default", "namespace": NAMESPACE}
