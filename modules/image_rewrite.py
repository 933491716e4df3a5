"""Where a Kubernetes object names container images, and the rewrite of all of them to a mirror.

An object names images in three ways:

- containers: every `containers` / `initContainers` / `ephemeralContainers` list anywhere in the object
  (Pods, workload templates, CronJob job templates, and custom resources that embed containers, such as
  Argo WorkflowTemplates or KServe ServingRuntimes), their `image`;
- images a controller gives the pods it creates: a container's env value whose name ends in `IMAGE`
  (KFP's `V2_DRIVER_IMAGE`, `V2_LAUNCHER_IMAGE`), a container argument `--<x>-image <ref>` or
  `--<x>-image=<ref>` (Argo's `--executor-image`);
- ConfigMap data a controller reads: a key ending in `image` / `Image` (KFP's `cacheImage`, Knative's
  `queue-sidecar-image`), and inside values holding JSON or YAML, every `image`-like key and every `hub`
  (istiod's sidecar injector values: `global.hub` + `proxy.image`).

`image_slots` finds them (the plan lists and checks them); `mirrored_images` rewrites them (the
kubeflow/manifests install). Values that are not references (templates such as `{{ .ProxyImage }}`,
Istio's `auto`, bare names like `proxyv2` that are joined to a hub) are left alone.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, Literal, TypeGuard

import yaml

from modules.images import ImageMirror, ImageRef

CONTAINER_LISTS = ("containers", "initContainers", "ephemeralContainers")
_IMAGE_KEY = re.compile(r"(^|[-_.]|[a-z])(image|Image|IMAGE)$")
_IMAGE_ARG = re.compile(r"^--[a-z0-9-]*image$")
_REFERENCE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:/@-]*$")

SlotKind = Literal["image", "repository", "hub"]


@dataclass
class ImageSlot:
    """One field naming an image: its path in the object, its value, and how to replace it."""

    path: str
    value: str
    kind: SlotKind
    """`image`: a full reference; `repository`: one without tag (a controller appends it);
    `hub`: a registry and repository prefix the image name is joined to."""
    replace: Callable[[str], None]

    def rewritten(self, mirror: ImageMirror) -> str:
        """The value under `mirror`."""
        return mirror.hub(self.value) if self.kind == "hub" else mirror(self.value)


def is_reference(value: object) -> TypeGuard[str]:
    """Whether `value` reads as an image reference (has a registry, repository path, tag or digest)."""
    if not isinstance(value, str) or not _REFERENCE.match(value) or not any(c in value for c in "/:@"):
        return False
    if "://" in value:
        return False
    try:
        ImageRef.parse(value)
    except ValueError:
        return False
    return True


def _setter(holder: dict[str, Any] | list[Any], key: Any) -> Callable[[str], None]:
    def replace(value: str) -> None:
        holder[key] = value

    return replace


def _kind_of(value: str) -> SlotKind:
    ref = ImageRef.parse(value)
    return "image" if ref.tag or ref.digest else "repository"


def _container_slots(container: dict[str, Any], path: str) -> Iterator[ImageSlot]:
    image = container.get("image")
    if is_reference(image):
        yield ImageSlot(f"{path}.image", image, _kind_of(image), _setter(container, "image"))
    for env in container.get("env") or ():
        if not isinstance(env, dict):
            continue
        name, value = str(env.get("name", "")), env.get("value")
        if name.upper().endswith("IMAGE") and is_reference(value):
            yield ImageSlot(f"{path}.env[{name}]", value, _kind_of(value), _setter(env, "value"))
    for field in ("command", "args"):
        items = container.get(field)
        if not isinstance(items, list):
            continue
        for i, arg in enumerate(items):
            if not isinstance(arg, str):
                continue
            flag, eq, value = arg.partition("=")
            if eq and _IMAGE_ARG.match(flag) and is_reference(value):
                yield ImageSlot(
                    f"{path}.{field}[{i}]", value, _kind_of(value), _setter_prefixed(items, i, f"{flag}=")
                )
            elif _IMAGE_ARG.match(arg) and i + 1 < len(items) and is_reference(items[i + 1]):
                value = items[i + 1]
                yield ImageSlot(f"{path}.{field}[{i + 1}]", value, _kind_of(value), _setter(items, i + 1))


def _setter_prefixed(items: list[Any], index: int, prefix: str) -> Callable[[str], None]:
    def replace(value: str) -> None:
        items[index] = prefix + value

    return replace


def _walk_containers(node: Any, path: str) -> Iterator[ImageSlot]:
    if isinstance(node, dict):
        for key, value in node.items():
            here = f"{path}.{key}" if path else str(key)
            if key in CONTAINER_LISTS and isinstance(value, list):
                for i, container in enumerate(value):
                    if isinstance(container, dict):
                        yield from _container_slots(container, f"{here}[{i}]")
            else:
                yield from _walk_containers(value, here)
    elif isinstance(node, list):
        for i, item in enumerate(node):
            yield from _walk_containers(item, f"{path}[{i}]")


def _walk_config(node: Any, path: str) -> Iterator[ImageSlot]:
    """Image-like keys (and `hub`) in parsed configuration.

    A section switched off (`"enabled": false` beside the image) pulls nothing, so it names no image:
    KServe 0.16's chart hard-codes `localModel.defaultJobImage: kserve/storage-initializer:latest`,
    which no value can change and which is used only when `localModel.enabled` is true.
    """
    if isinstance(node, dict):
        if node.get("enabled") is False:
            return
        for key, value in node.items():
            here = f"{path}.{key}"
            if isinstance(value, str) and is_reference(value):
                if key == "hub":
                    yield ImageSlot(here, value, "hub", _setter(node, key))
                elif isinstance(key, str) and _IMAGE_KEY.search(key):
                    yield ImageSlot(here, value, _kind_of(value), _setter(node, key))
            else:
                yield from _walk_config(value, here)
    elif isinstance(node, list):
        for i, item in enumerate(node):
            yield from _walk_config(item, f"{path}[{i}]")


def _parsed(text: str) -> tuple[Any, Callable[[Any], str]] | None:
    """A ConfigMap value holding a JSON object, or YAML that is a mapping, with how to write it back."""
    stripped = text.strip()
    if stripped.startswith("{"):
        try:
            return json.loads(stripped), lambda data: json.dumps(data, indent=2)
        except ValueError:
            pass
    if "\n" not in stripped or "{{" in stripped:
        return None
    try:
        data = yaml.safe_load(stripped)
    except yaml.YAMLError:
        return None
    if not isinstance(data, dict):
        return None
    return data, lambda value: yaml.safe_dump(value, sort_keys=False)


def _config_map_slots(obj: dict[str, Any]) -> Iterator[ImageSlot]:
    data = obj.get("data")
    if not isinstance(data, dict):
        return
    for key, value in data.items():
        if not isinstance(value, str):
            continue
        here = f"data.{key}"
        if _IMAGE_KEY.search(key) and is_reference(value.strip()):
            yield ImageSlot(here, value.strip(), _kind_of(value.strip()), _setter(data, key))
            continue
        parsed = _parsed(value)
        if parsed is None:
            continue
        document, dump = parsed
        for slot in _walk_config(document, here):
            yield ImageSlot(
                slot.path, slot.value, slot.kind, _rewriting(slot.replace, data, key, document, dump)
            )


def _rewriting(
    inner: Callable[[str], None], data: dict[str, Any], key: str, document: Any, dump: Callable[[Any], str]
) -> Callable[[str], None]:
    """A setter that edits the parsed document and writes it back into the ConfigMap value."""

    def replace(value: str) -> None:
        inner(value)
        data[key] = dump(document)

    return replace


def image_slots(obj: dict[str, Any]) -> list[ImageSlot]:
    """Every field of `obj` naming an image (none for CustomResourceDefinitions: schemas, not pods)."""
    kind = obj.get("kind")
    if kind == "CustomResourceDefinition":
        return []
    if kind == "ConfigMap":
        return list(_config_map_slots(obj))
    return list(_walk_containers(obj, ""))


@dataclass(frozen=True)
class ControllerDefault:
    """An image a controller compiles in and takes from an env variable: the rewrite sets that variable."""

    kind: str
    name: str
    container: str
    env: str
    image: str
    """The compiled-in default (a repository when the controller appends the tag itself)."""


CONTROLLER_DEFAULTS = (
    # KFP's per-profile controller (sync.py) creates ml-pipeline-ui-artifact from FRONTEND_IMAGE:<tag>.
    ControllerDefault(
        "Deployment",
        "kubeflow-pipelines-profile-controller",
        "profile-controller",
        "FRONTEND_IMAGE",
        "ghcr.io/kubeflow/kfp-frontend",
    ),
)
"""Images Kubeflow controllers default to in code, so no manifest field names them."""


def _set_controller_defaults(obj: dict[str, Any], mirror: ImageMirror) -> None:
    meta = obj.get("metadata") or {}
    for default in CONTROLLER_DEFAULTS:
        if (obj.get("kind"), meta.get("name")) != (default.kind, default.name):
            continue
        pod = ((obj.get("spec") or {}).get("template") or {}).get("spec") or {}
        for container in pod.get("containers") or ():
            if container.get("name") != default.container:
                continue
            env = container.setdefault("env", [])
            if not any(e.get("name") == default.env for e in env):
                env.append({"name": default.env, "value": mirror(default.image)})


def mirrored_images(mirror: ImageMirror) -> Callable[[dict[str, Any]], None]:
    """A kustomize transformation: every image `obj` names (and controller defaults) pulled via `mirror`.

    Without a mirror registry it changes nothing.
    """

    def apply(obj: dict[str, Any]) -> None:
        if mirror.registry is None:
            return
        for slot in image_slots(obj):
            slot.replace(slot.rewritten(mirror))
        _set_controller_defaults(obj, mirror)

    return apply
