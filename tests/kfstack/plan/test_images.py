"""The images a plan lists: recorded objects, rendered releases, the values kfstack sets; the mirror check."""

from __future__ import annotations

import json
from pathlib import Path

from kfstack.plan.helm_template import ReleaseSpec, RenderedObject, RenderedRelease
from kfstack.plan.images import ImageUse, image_problems, release_value_images, rendered_images
from kfstack.plan.recorder import RecordedResource
from modules.images import NO_MIRROR, ImageMirror

MIRROR = ImageMirror("registry.example.com/mirror")


def _release(values: dict) -> RecordedResource:
    return RecordedResource(
        urn="urn:pulumi:local::kfstack::kubernetes:helm.sh/v3:Release::dex",
        type="kubernetes:helm.sh/v3:Release",
        name="dex",
        parent="",
        custom=True,
        dependencies=[],
        provider="",
        protect=False,
        retain_on_delete=False,
        inputs={"name": "dex", "chart": "dex", "version": "0.24.0", "values": values},
    )


def test_plan_of_a_shipped_environment_lists_the_objects_images(plan) -> None:
    uses = [u for u in plan("local").images if u.source == "object"]
    assert any(
        u.image == "registry.k8s.io/kubectl:v1.34.1" and "cluster-jwks-proxy" in u.resource for u in uses
    )


def test_release_values_give_the_images_kfstack_sets() -> None:
    values = {
        "image": {"registry": "r.example.com", "repository": "mirror/quay.io/o/p", "tag": "v7"},
        "webhook": {"image": {"repository": "r.example.com/mirror/quay.io/jetstack/cert-manager-webhook"}},
        "global": {"hub": "r.example.com/mirror/docker.io/istio"},
        "replicas": 2,
    }
    found = {(u.field, u.image, u.kind, u.source) for u in release_value_images([_release(values)])}
    assert found == {
        ("image", "r.example.com/mirror/quay.io/o/p:v7", "image", "values"),
        (
            "webhook.image",
            "r.example.com/mirror/quay.io/jetstack/cert-manager-webhook",
            "repository",
            "values",
        ),
        ("global.hub", "r.example.com/mirror/docker.io/istio", "hub", "values"),
    }


def test_rendered_istiod_injector_values_give_the_injected_proxy_image(tmp_path: Path) -> None:
    injector = {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": "istio-sidecar-injector", "namespace": "istio-system"},
        "data": {
            "values": json.dumps(
                {"global": {"hub": "docker.io/istio", "tag": "1.29.0", "proxy": {"image": "proxyv2"}}}
            )
        },
    }
    spec = ReleaseSpec("istiod", "istiod", "1.29.0", "istio-system", None, {}, True)
    rendered = RenderedRelease(spec, tmp_path / "istiod.tgz", "1.33", [RenderedObject("x", injector)])
    images = {(u.image, u.kind) for u in rendered_images(rendered)}
    assert images == {("docker.io/istio", "hub"), ("docker.io/istio/proxyv2:1.29.0", "image")}
    assert len(image_problems(rendered_images(rendered), MIRROR)) == 2


def test_hubs_and_images_below_the_mirror_pass_and_others_fail() -> None:
    uses = [
        ImageUse(
            f"{MIRROR.registry}/docker.io/istio",
            "istiod",
            "ConfigMap/a/b",
            "data.values.global.hub",
            "rendered",
            "hub",
        ),
        ImageUse(f"{MIRROR.registry}/quay.io/x/y:1", "c", "Deployment/a/b", "image", "object"),
        ImageUse("quay.io/x/y:1", "c", "Deployment/a/b", "spec.template.spec.containers[0].image", "object"),
    ]
    (problem,) = image_problems(uses, MIRROR)
    assert problem.render() == (
        "c Deployment/a/b: images at spec.template.spec.containers[0].image: quay.io/x/y:1 is not from the "
        "mirror registry registry.example.com/mirror (kfstack:images.registry)"
    )
    assert image_problems(uses, NO_MIRROR) == []
