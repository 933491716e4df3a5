"""Knative Serving's image rewrite: pod templates, the queue-proxy Image and its config entry."""

from __future__ import annotations

from modules.images import ImageMirror
from modules.knative import QUEUE_SIDECAR_KEY, mirror_images

MIRROR = ImageMirror("registry.example.com/mirror")
QUEUE = "gcr.io/knative-releases/knative.dev/serving/cmd/queue@sha256:" + "0" * 64


def test_deployment_containers_are_pulled_from_the_mirror() -> None:
    deployment = {
        "kind": "Deployment",
        "spec": {"template": {"spec": {"containers": [{"name": "c", "image": "gcr.io/x/activator:1"}]}}},
    }
    mirror_images(MIRROR, deployment)
    image = deployment["spec"]["template"]["spec"]["containers"][0]["image"]
    assert image == "registry.example.com/mirror/gcr.io/x/activator:1"


def test_the_queue_proxy_image_and_its_config_are_pulled_from_the_mirror() -> None:
    image = {"apiVersion": "caching.internal.knative.dev/v1alpha1", "kind": "Image", "spec": {"image": QUEUE}}
    config = {"kind": "ConfigMap", "data": {QUEUE_SIDECAR_KEY: QUEUE}}
    mirror_images(MIRROR, image)
    mirror_images(MIRROR, config)
    assert (
        image["spec"]["image"] == config["data"][QUEUE_SIDECAR_KEY] == f"registry.example.com/mirror/{QUEUE}"
    )


def test_without_a_mirror_nothing_changes() -> None:
    config = {"kind": "ConfigMap", "data": {QUEUE_SIDECAR_KEY: QUEUE}}
    mirror_images(ImageMirror(), config)
    assert config["data"][QUEUE_SIDECAR_KEY] == QUEUE
