"""How Kubeflow's own parts are installed: kubeflow/manifests kustomizations at the pinned ref, built by
the Kubernetes provider's kustomize function (`kubernetes:kustomize:directory`), each object a resource.

Offline, the plan's mocks answer that function with `kubectl kustomize` of a local copy
(`components.manifestsDirectory`); a remote URL cannot be built without the network, so the plan then
shows no objects and says so. The builders of those parts share `install_manifests` from here.
"""

from __future__ import annotations

import copy
import re
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pulumi

from stacks.component_spec import ComponentSpec, MockCallAnswer, ToolLocator
from stacks.components.cluster import Cluster
from stacks.config.versions import ComponentKey
from stacks.context import StackContext

if TYPE_CHECKING:
    from modules.kustomize import Dependencies, KustomizeInstall, ObjectRef, Transformation

KUSTOMIZE_FUNCTION = "kubernetes:kustomize:directory"


KUSTOMIZATION_FILES = ("kustomization.yaml", "kustomization.yml", "Kustomization")
"""The file names kustomize takes as a directory's kustomization."""


class KustomizeBuildFailed(RuntimeError):
    """`kubectl kustomize` rejected a local kustomization; carries its message."""


@cache
def _built(kubectl: Path, directory: str) -> tuple[dict[str, Any], ...]:
    """The objects of a local kustomization (cached per process: plans are run many times)."""
    import yaml

    done = subprocess.run([str(kubectl), "kustomize", directory], capture_output=True, text=True, check=False)
    if done.returncode != 0:
        # drop klog's `E1201 23:16:29.150438 4539 run.go:72] ` prefix: the message is what matters
        message = re.sub(r"^[EWIF]\d{4} [\d:.]+\s+\d+ \S+\] ", "", done.stderr.strip(), flags=re.M)
        raise KustomizeBuildFailed(f"kubectl kustomize {directory} failed: {message}")
    return tuple(obj for obj in yaml.safe_load_all(done.stdout) if obj)


def local_build(directory: str, locate: ToolLocator) -> list[dict[str, Any]]:
    """A fresh copy of the objects `kubectl kustomize directory` produces."""
    return copy.deepcopy(list(_built(locate("kubectl"), str(Path(directory).resolve()))))


def _component_of(url: str) -> str:
    from stacks.components import component_specs

    for spec in component_specs():
        if any(f"//{path}?" in url or url.rstrip("/").endswith(f"/{path}") for path in spec.manifests):
            return spec.key or spec.name
    return "kubeflow manifests"


def offline_warning(url: str) -> str:
    """What the plan says about a kustomization it cannot build offline."""
    return (
        f"{_component_of(url)}: objects not shown offline: manifests come from {url}; "
        "set components.manifestsDirectory to a local copy"
    )


def kustomize_directory(args: dict[str, Any], locate: ToolLocator) -> MockCallAnswer:
    """The mocks' answer to the provider's kustomize function, in the provider's shape (`result`)."""
    directory = str(args.get("directory") or "")
    if "://" in directory:
        return MockCallAnswer({"result": []}, (offline_warning(directory),))
    if not any((Path(directory) / name).is_file() for name in KUSTOMIZATION_FILES):
        error = (
            f"{_component_of(directory)}: no kustomization.yaml in {directory}: "
            "components.manifestsDirectory must be a kubeflow/manifests checkout at the pinned ref"
        )
        return MockCallAnswer({"result": []}, errors=(error,))
    try:
        return MockCallAnswer({"result": local_build(directory, locate)})
    except KustomizeBuildFailed as failed:
        return MockCallAnswer({"result": []}, errors=(f"{_component_of(directory)}: {failed}",))


SPEC = ComponentSpec(
    name="kubeflow-manifests",
    summary="kubeflow/manifests kustomizations at the pinned ref, built by the Kubernetes provider",
    mock_calls={KUSTOMIZE_FUNCTION: kustomize_directory},
)


def install_manifests(
    stack: StackContext,
    cluster: Cluster,
    name: str,
    key: ComponentKey,
    path: str,
    after: Dependencies,
    omit: Sequence[ObjectRef] = (),
    transformations: Sequence[Transformation] = (),
) -> KustomizeInstall:
    """The kustomization `path` of kubeflow/manifests at `key`'s pin, installed after `after`; every
    image its objects name (containers, controllers' image settings) is pulled through `kfstack:images`."""
    from modules.image_rewrite import mirrored_images
    from modules.kustomize import KustomizeInstall, KustomizeInstallArgs
    from stacks.components import component_specs

    declared = tuple(crd for spec in component_specs() if path in spec.manifests for crd in spec.crds)
    return KustomizeInstall(
        name,
        KustomizeInstallArgs(
            source=stack.config.components.manifests(key, path),
            omit=tuple(omit),
            transformations=(*transformations, mirrored_images(stack.config.images.mirror())),
            declared_crds=declared,
        ),
        opts=pulumi.ResourceOptions.merge(cluster.options(), pulumi.ResourceOptions(depends_on=after)),
    )


@dataclass(frozen=True)
class ManifestsInstall:
    """What later components depend on: the CRDs a part installs, and all of its objects."""

    crds: pulumi.Output[list[pulumi.Resource]]
    ready: pulumi.Output[list[pulumi.Resource]]
    """Every object of the part (Pulumi waits for Deployments to be available)."""


def installed(*parts: KustomizeInstall) -> ManifestsInstall:
    """The combined outputs of one component's kustomizations."""
    from modules.kustomize import combined

    return ManifestsInstall(
        crds=combined(*(part.crds for part in parts)),
        ready=combined(*(part.ready for part in parts)),
    )


def after_parts(
    before: Dependencies, *parts: ManifestsInstall | None
) -> pulumi.Output[list[pulumi.Resource]]:
    """`before` and every object of the installed `parts` (None: a part that is switched off)."""
    from modules.kustomize import combined

    return combined(before, *(part.ready for part in parts if part is not None))
