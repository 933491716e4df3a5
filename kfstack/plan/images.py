"""The images a plan pulls: from every recorded Kubernetes object, from each Helm release's rendered
objects (with `--charts-dir`), or else the image values kfstack sets on the release; and, with
`kfstack:images.registry` set, the check that every one of them comes from that mirror.

Fields naming images are found by `modules.image_rewrite.image_slots` (containers anywhere in an
object, controllers' image env variables and arguments, image keys in ConfigMaps, Istio's `hub`), the
same rules the kubeflow/manifests install rewrites with.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any, Literal

from kfstack.plan.helm_template import RenderedRelease
from kfstack.plan.kubernetes_objects import is_kubernetes_object, kubernetes_object, object_label
from kfstack.plan.problems import PlanProblem
from kfstack.plan.recorder import RecordedResource
from modules.image_rewrite import image_slots, is_reference
from modules.images import ImageMirror

RELEASE_TYPE = "kubernetes:helm.sh/v3:Release"

ImageSource = Literal["object", "rendered", "values"]


@dataclass(frozen=True)
class ImageUse:
    """One image (or Istio hub) a resource names, and where."""

    image: str
    component: str
    """The top-level component (or Helm release) it belongs to."""
    resource: str
    """`Kind/namespace/name` of the object, or the release for a value."""
    field: str
    """Where in the object (or release values) the image is named."""
    source: ImageSource
    """`object`: a recorded object; `rendered`: a release's `helm template` output; `values`: an image
    value kfstack sets on a release (what the chart renders from it is only known by rendering)."""
    kind: str = "image"
    """`image`, `repository` (no tag: the chart or controller adds it) or `hub` (a registry prefix)."""

    def to_json(self) -> dict[str, str]:
        """Plan-JSON form."""
        return {
            "image": self.image,
            "component": self.component,
            "resource": self.resource,
            "field": self.field,
            "source": self.source,
            "kind": self.kind,
        }


def _root_names(resources: list[RecordedResource]) -> dict[str, str]:
    """URN -> `name (Type)` of its top-level component, as the plan table groups them."""
    by_urn = {r.urn: r for r in resources}
    roots: dict[str, str] = {}
    for resource in resources:
        root = resource
        while root.parent in by_urn:
            root = by_urn[root.parent]
        roots[resource.urn] = f"{root.name} ({root.type.rsplit(':', 1)[-1]})"
    return roots


def _injected_proxy(obj: dict[str, Any]) -> str | None:
    """The proxy image istiod injects (sidecars, `image: auto` gateways), from its injector values."""
    if obj.get("kind") != "ConfigMap" or not isinstance((obj.get("data") or {}).get("values"), str):
        return None
    try:
        values = json.loads(obj["data"]["values"]).get("global") or {}
    except (ValueError, AttributeError):
        return None
    hub, tag, image = values.get("hub"), values.get("tag"), (values.get("proxy") or {}).get("image")
    if not (isinstance(hub, str) and hub and isinstance(image, str) and image and tag):
        return None
    reference = image if "/" in image else f"{hub}/{image}:{tag}"
    return reference if is_reference(reference) else None


def _uses(obj: dict[str, Any], component: str, source: ImageSource) -> Iterator[ImageUse]:
    label = object_label(obj)
    for slot in image_slots(obj):
        yield ImageUse(slot.value, component, label, slot.path, source, slot.kind)
    proxy = _injected_proxy(obj)
    if proxy is not None:
        yield ImageUse(proxy, component, label, "data.values.global.hub + proxy.image (injected)", source)


def object_images(resources: list[RecordedResource]) -> list[ImageUse]:
    """Images named by the recorded Kubernetes objects (kustomize objects too, when built locally)."""
    roots = _root_names(resources)
    return [
        use
        for resource in sorted(resources, key=lambda r: r.urn)
        if is_kubernetes_object(resource)
        for use in _uses(kubernetes_object(resource), roots[resource.urn], "object")
    ]


def rendered_images(rendered: RenderedRelease) -> list[ImageUse]:
    """Images named by the objects a release renders."""
    component = f"{rendered.spec.release_name} (helm release)"
    return [use for obj in rendered.objects for use in _uses(obj.manifest, component, "rendered")]


def _value_images(values: Any, path: str) -> Iterator[tuple[str, str, str]]:
    """(path, image, kind) of image values: `hub`, `image` strings and `image: {registry, repository}`."""
    if isinstance(values, dict):
        image = values.get("image")
        if isinstance(image, dict) and isinstance(image.get("repository"), str):
            registry, repository = image.get("registry"), image["repository"]
            reference = f"{registry}/{repository}" if registry else repository
            tag, digest = image.get("tag"), image.get("digest")
            reference += (f":{tag}" if tag else "") + (f"@{digest}" if digest else "")
            if is_reference(reference):
                kind = "image" if tag or digest else "repository"
                yield f"{path}.image" if path else "image", reference, kind
        for key, value in values.items():
            here = f"{path}.{key}" if path else str(key)
            if key in ("hub", "image") and is_reference(value):
                yield here, value, "hub" if key == "hub" else "image"
            elif key != "image" or not isinstance(value, dict):
                yield from _value_images(value, here)
    elif isinstance(values, list):
        for i, item in enumerate(values):
            yield from _value_images(item, f"{path}[{i}]")


def release_value_images(resources: Iterable[RecordedResource]) -> list[ImageUse]:
    """The image values kfstack sets on each Helm release (not what the chart renders by default)."""
    uses = []
    for resource in sorted(resources, key=lambda r: r.urn):
        if resource.type != RELEASE_TYPE:
            continue
        name = str(resource.inputs.get("name") or resource.name)
        for path, image, kind in _value_images(resource.inputs.get("values"), ""):
            uses.append(ImageUse(image, f"{name} (helm release)", f"release {name}", path, "values", kind))
    return uses


def _from_mirror(use: ImageUse, mirror: ImageMirror) -> bool:
    if mirror.registry is None:
        return True
    if use.kind == "hub":
        return use.image.startswith(mirror.registry.rstrip("/") + "/")
    return mirror.mirrors(use.image)


def image_problems(uses: Iterable[ImageUse], mirror: ImageMirror) -> list[PlanProblem]:
    """With a mirror registry: every image (and hub) not pulled from it, naming the resource and field."""
    if mirror.registry is None:
        return []
    return [
        PlanProblem(
            f"{use.component} {use.resource}",
            "images",
            f"{use.image} is not from the mirror registry {mirror.registry} (kfstack:images.registry)",
            use.field,
        )
        for use in uses
        if not _from_mirror(use, mirror)
    ]
