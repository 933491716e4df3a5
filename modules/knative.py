"""Knative Serving for KServe's Knative mode: the image rewrite of its kubeflow/manifests kustomization
and the values of the Istio gateway that serves Knative's in-cluster gateway."""

from __future__ import annotations

from typing import Any

from modules.images import ImageMirror

LOCAL_GATEWAY_RELEASE = "cluster-local-gateway"
"""The gateway chart names its pods `app`/`istio: cluster-local-gateway` after the release: the labels
the `knative-local-gateway` Gateway and Service of kubeflow/manifests select."""
QUEUE_SIDECAR_KEY = "queue-sidecar-image"
"""The `config-deployment` key naming the queue-proxy image Knative injects into each revision."""


def local_gateway_values() -> dict[str, Any]:
    """Values of the Istio `gateway` chart for the cluster-local gateway: in-cluster only (ClusterIP)."""
    return {
        "service": {"type": "ClusterIP"},
        "containerSecurityContext": {"seccompProfile": {"type": "RuntimeDefault"}},
    }


def _pod_spec(obj: dict[str, Any]) -> dict[str, Any] | None:
    template = (obj.get("spec") or {}).get("template")
    if isinstance(template, dict) and isinstance(template.get("spec"), dict):
        spec: dict[str, Any] = template["spec"]
        return spec
    return None


def mirror_images(mirror: ImageMirror, obj: dict[str, Any]) -> None:
    """Rewrite in place every image `obj` names: pod templates, the queue-proxy `Image` and config."""
    if mirror.registry is None:
        return
    spec = _pod_spec(obj)
    if spec is not None:
        for key in ("containers", "initContainers"):
            for container in spec.get(key) or []:
                if container.get("image"):
                    container["image"] = mirror(container["image"])
    kind = obj.get("kind")
    if kind == "Image" and str(obj.get("apiVersion", "")).startswith("caching.internal.knative.dev/"):
        obj["spec"]["image"] = mirror(obj["spec"]["image"])
    data = obj.get("data") or {}
    if kind == "ConfigMap" and QUEUE_SIDECAR_KEY in data:
        data[QUEUE_SIDECAR_KEY] = mirror(data[QUEUE_SIDECAR_KEY])
