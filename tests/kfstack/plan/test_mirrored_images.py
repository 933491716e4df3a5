"""With `kfstack:images.registry` set, no image the stack installs points elsewhere: every Helm release of
every shipped environment is rendered with `helm template` from the packaged charts and every image it
names (containers, init and ephemeral containers, controllers' image env values and arguments, image
settings in ConfigMaps, Istio's hub) must come from the mirror; so must every recorded object's, the
kubeflow/manifests objects included (built from the local copy).

Releases are collected from the plans, so releases that components add later are covered as well.
"""

from __future__ import annotations

import copy
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from kfstack.plan.build import Plan, plan_config
from kfstack.plan.helm_template import RELEASE_TYPE, rendered_release
from kfstack.plan.images import ImageUse, image_problems, object_images, rendered_images
from modules.images import NO_MIRROR, ImageMirror
from stacks.config.loader import ENVIRONMENTS_DIR, known_environments, parse_environment, read_stack_file
from tests.stacks.components.kubeflow_parts import MANIFESTS, needs_manifests

REGISTRY = "registry.example.com/mirror"


def _values(environment: str, registry: str | None, manifests: bool) -> dict[str, Any]:
    values = copy.deepcopy(read_stack_file(ENVIRONMENTS_DIR / f"Pulumi.{environment}.yaml").values)
    if registry is not None:
        values["images"] = {"registry": registry}
    if manifests:
        values.setdefault("components", {})["manifestsDirectory"] = str(MANIFESTS)
    return values


@cache
def _plan(environment: str, registry: str | None = REGISTRY, manifests: bool = False) -> Plan:
    return plan_config(environment, parse_environment(_values(environment, registry, manifests)))


RELEASE_CASES = [
    pytest.param(environment, release.urn, id=f"{environment}-{release.name}")
    for environment in known_environments()
    for release in _plan(environment).find(RELEASE_TYPE)
]


def _rendered_images(plan: Plan, urn: str, charts_dir: Path, helm: Path) -> list[ImageUse]:
    (release,) = [r for r in plan.resources if r.urn == urn]
    return rendered_images(
        rendered_release(release, charts_dir, plan.config.cluster.kubernetes_version, helm)
    )


def _elsewhere(uses: list[ImageUse]) -> list[str]:
    return [p.render() for p in image_problems(uses, ImageMirror(REGISTRY))]


def test_shipped_environments_have_releases_to_check() -> None:
    assert RELEASE_CASES


@pytest.mark.parametrize(("environment", "release_urn"), RELEASE_CASES)
def test_every_image_a_release_renders_comes_from_the_mirror(
    environment: str, release_urn: str, charts_dir: Path, helm: Path
) -> None:
    uses = _rendered_images(_plan(environment), release_urn, charts_dir, helm)
    assert _elsewhere(uses) == []
    assert all(use.image.startswith(f"{REGISTRY}/") for use in uses)


@pytest.mark.parametrize("environment", known_environments())
def test_every_image_of_the_recorded_objects_comes_from_the_mirror(environment: str) -> None:
    plan = _plan(environment)
    assert plan.problems == []
    assert _elsewhere(object_images(plan.resources)) == []


@needs_manifests
@pytest.mark.parametrize("environment", known_environments())
def test_every_kubeflow_manifests_image_comes_from_the_mirror(environment: str) -> None:
    plan = _plan(environment, manifests=True)
    uses = object_images(plan.resources)
    kustomized = [u for u in uses if "kubeflow-pipelines" in u.component]
    assert kustomized, "no Kubeflow Pipelines object names an image"
    assert _elsewhere(uses) == []
    fields = {(u.resource, u.field): u.image for u in uses}
    assert fields[
        ("Deployment/kubeflow/ml-pipeline", "spec.template.spec.containers[0].env[V2_LAUNCHER_IMAGE]")
    ].startswith(f"{REGISTRY}/ghcr.io/kubeflow/kfp-launcher:")
    assert (
        fields[
            (
                "Deployment/kubeflow/kubeflow-pipelines-profile-controller",
                "spec.template.spec.containers[0].env[FRONTEND_IMAGE]",
            )
        ]
        == f"{REGISTRY}/ghcr.io/kubeflow/kfp-frontend"
    )


def test_the_plan_fails_an_image_from_another_registry() -> None:
    use = ImageUse(
        "quay.io/x/y:1", "istiod (helm release)", "Deployment/istio-system/istiod", "spec.x", "rendered"
    )
    (problem,) = image_problems([use], ImageMirror(REGISTRY))
    assert problem.check == "images"
    assert "Deployment/istio-system/istiod" in problem.resource
    assert "quay.io/x/y:1 is not from the mirror registry" in problem.message


def test_without_a_mirror_the_check_passes_and_images_are_upstream(charts_dir: Path, helm: Path) -> None:
    plan = _plan("local", registry=None)
    assert plan.problems == []
    uses = [
        use
        for release in plan.find(RELEASE_TYPE)
        for use in _rendered_images(plan, release.urn, charts_dir, helm)
    ]
    assert image_problems(uses, NO_MIRROR) == []
    images = {use.image for use in uses}
    assert "quay.io/jetstack/cert-manager-controller:v1.19.4" in images
    assert "docker.io/istio/pilot:1.29.0" in images
    assert not any(image.startswith("registry.example.com") for image in images)
