"""`kfstack plan`: the real stack program under the mock runtime, recorded, checked and serialised."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kfstack.plan.checks import check_plan
from kfstack.plan.images import (
    RELEASE_TYPE,
    ImageUse,
    image_problems,
    object_images,
    release_value_images,
    rendered_images,
)
from kfstack.plan.kubernetes_objects import is_kubernetes_object, kubernetes_object
from kfstack.plan.platform_versions import ComponentVersions, component_versions
from kfstack.plan.problems import PlanProblem
from kfstack.plan.recorder import RecordedResource, find_resources, record_program
from stacks.config.environment import EnvironmentConfig
from stacks.config.loader import ENVIRONMENTS_DIR, load_environment
from stacks.mock_values import DEFAULT_MOCK_REGION
from stacks.program import build_platform

if TYPE_CHECKING:
    from kfstack.plan.helm_template import RenderedRelease


@dataclass
class Plan:
    """Every resource one environment would register, with the checks' verdict."""

    environment: str
    config: EnvironmentConfig
    resources: list[RecordedResource]
    problems: list[PlanProblem] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    """What the program logged as warnings (e.g. enabled components it does not install)."""
    images: list[ImageUse] = field(default_factory=list)
    """Every image the plan knows of: recorded objects, and the Helm releases' rendered objects (with a
    charts folder) or else the image values kfstack sets on them."""
    releases_rendered: bool = False
    """Whether the Helm releases were rendered (`--charts-dir`), so their images are all known."""
    rendered: list[tuple[RecordedResource, RenderedRelease]] = field(default_factory=list)
    """Each Helm release with what it renders (`--charts-dir`), for checks over the rendered objects."""

    def to_json(self) -> dict[str, Any]:
        """Stable form: resources sorted by URN, so two plans diff cleanly."""
        return {
            "environment": self.environment,
            "kubernetesVersion": self.config.cluster.kubernetes_version,
            "components": [c.to_json() for c in self.components()],
            "resources": [r.to_json() for r in sorted(self.resources, key=lambda r: r.urn)],
            "warnings": sorted(self.warnings),
            "images": sorted(
                (use.to_json() for use in self.images),
                key=lambda u: (u["image"], u["component"], u["resource"], u["field"]),
            ),
            "helmReleasesRendered": self.releases_rendered,
        }

    def json_text(self) -> str:
        """Byte-stable JSON text of the plan."""
        return json.dumps(self.to_json(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"

    def kubernetes_objects(self) -> list[tuple[RecordedResource, dict[str, Any]]]:
        """(resource, object) for every planned Kubernetes object, in URN order."""
        return [
            (r, kubernetes_object(r))
            for r in sorted(self.resources, key=lambda r: r.urn)
            if is_kubernetes_object(r)
        ]

    def components(self) -> list[ComponentVersions]:
        """The switched-on platform components with versions, sources and their Helm releases."""
        return component_versions(self.config, self.resources)

    def find(self, type_: str, name: str | None = None) -> list[RecordedResource]:
        """Resources of `type_` (and `name` if given)."""
        return find_resources(self.resources, type_, name)


def rendered_release_checks(
    resources: list[RecordedResource], charts_dir: Path, k8s_version: str, crd_dir: Path | None
) -> tuple[list[ImageUse], list[PlanProblem], list[tuple[RecordedResource, RenderedRelease]]]:
    """Render every Helm release from `charts_dir`: the images of what they render, the problems
    (a release that does not render, an object that does not validate) and the renders."""
    from kfstack.plan.helm_template import HelmTemplateError, release_validation, rendered_release

    images: list[ImageUse] = []
    problems: list[PlanProblem] = []
    renders: list[tuple[RecordedResource, RenderedRelease]] = []
    for release in sorted(find_resources(resources, RELEASE_TYPE), key=lambda r: r.urn):
        try:
            rendered = rendered_release(release, charts_dir, k8s_version)
        except HelmTemplateError as error:
            problems.append(PlanProblem(release.name, "helm template", str(error)))
            continue
        problems += release_validation(rendered, crd_dir).problems
        images += rendered_images(rendered)
        renders.append((release, rendered))
    return images, problems, renders


def plan_config(
    environment: str,
    config: EnvironmentConfig,
    crd_dir: Path | None = None,
    charts_dir: Path | None = None,
) -> Plan:
    """Record and check the program for an already-validated config; with `charts_dir`, also render
    and check every Helm release from the packaged charts there."""
    eks = config.cluster.eks
    record = record_program(
        lambda: build_platform(environment, config),
        stack=environment,
        region=eks.region if eks is not None else DEFAULT_MOCK_REGION,
    )
    problems = [PlanProblem("provider function", "offline build", error) for error in record.errors]
    problems += check_plan(record.resources, config.cluster.kubernetes_version, crd_dir)
    images = object_images(record.resources)
    renders: list[tuple[RecordedResource, RenderedRelease]] = []
    if charts_dir is not None:
        rendered, release_problems, renders = rendered_release_checks(
            record.resources, charts_dir, config.cluster.kubernetes_version, crd_dir
        )
        images += rendered
        problems += release_problems
    else:
        images += release_value_images(record.resources)
    problems += image_problems(images, config.images.mirror())
    return Plan(
        environment,
        config,
        record.resources,
        problems,
        record.warnings,
        images,
        charts_dir is not None,
        renders,
    )


def build_plan(
    name_or_path: str,
    crd_dir: Path | None = None,
    directory: Path = ENVIRONMENTS_DIR,
    charts_dir: Path | None = None,
) -> Plan:
    """Load, validate and plan an environment (raises ConfigError on bad config)."""
    environment, config = load_environment(name_or_path, directory)
    return plan_config(environment, config, crd_dir, charts_dir)


def write_manifests(plan: Plan, directory: Path) -> list[Path]:
    """Write each Kubernetes object as YAML (`<Kind>.<namespace>.<name>.yaml`); returns the paths."""
    import yaml

    directory.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    for resource, obj in plan.kubernetes_objects():
        meta = obj.get("metadata") or {}
        parts = [obj["kind"], meta.get("namespace", "_cluster"), meta.get("name", resource.name)]
        path = directory / (".".join(parts) + ".yaml")
        path.write_text(yaml.safe_dump(obj, sort_keys=False), encoding="utf-8")
        written.append(path)
    return written
