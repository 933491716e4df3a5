"""`kfstack plan`: the real stack program under the mock runtime, recorded, checked and serialised."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kfstack.plan.checks import check_plan
from kfstack.plan.kubernetes_objects import is_kubernetes_object, kubernetes_object
from kfstack.plan.platform_versions import ComponentVersions, component_versions
from kfstack.plan.problems import PlanProblem
from kfstack.plan.recorder import RecordedResource, find_resources, record_program
from stacks.config.environment import EnvironmentConfig
from stacks.config.loader import ENVIRONMENTS_DIR, load_environment
from stacks.program import build_platform


@dataclass
class Plan:
    """Every resource one environment would register, with the checks' verdict."""

    environment: str
    config: EnvironmentConfig
    resources: list[RecordedResource]
    problems: list[PlanProblem] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    """What the program logged as warnings (e.g. enabled components it does not install)."""

    def to_json(self) -> dict[str, Any]:
        """Stable form: resources sorted by URN, so two plans diff cleanly."""
        return {
            "environment": self.environment,
            "kubernetesVersion": self.config.cluster.kubernetes_version,
            "components": [c.to_json() for c in self.components()],
            "resources": [r.to_json() for r in sorted(self.resources, key=lambda r: r.urn)],
            "warnings": sorted(self.warnings),
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


def plan_config(environment: str, config: EnvironmentConfig, crd_dir: Path | None = None) -> Plan:
    """Record and check the program for an already-validated config."""
    record = record_program(lambda: build_platform(environment, config), stack=environment)
    problems = [PlanProblem("provider function", "offline build", error) for error in record.errors]
    problems += check_plan(record.resources, config.cluster.kubernetes_version, crd_dir)
    return Plan(environment, config, record.resources, problems, record.warnings)


def build_plan(name_or_path: str, crd_dir: Path | None = None, directory: Path = ENVIRONMENTS_DIR) -> Plan:
    """Load, validate and plan an environment (raises ConfigError on bad config)."""
    environment, config = load_environment(name_or_path, directory)
    return plan_config(environment, config, crd_dir)


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
