"""What a plan installs per platform component: the tested versions from the compatibility matrix, where
they come from, and the Helm releases (with the values passed) that install them."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from kfstack.plan.recorder import RecordedResource
from stacks.components import absent_components, component_specs
from stacks.config.environment import EnvironmentConfig
from stacks.config.versions import COMPONENT_KEYS, ComponentKey

RELEASE_TYPE = "kubernetes:helm.sh/v3:Release"


@dataclass(frozen=True)
class HelmReleaseValues:
    """A planned Helm release: its name, chart, chart version, namespace and values (secrets redacted)."""

    name: str
    chart: str
    version: str
    namespace: str
    values: dict[str, Any]


@dataclass(frozen=True)
class ComponentVersions:
    """One switched-on component: versions, source, whether this environment installs it, its releases."""

    key: ComponentKey
    app_version: str
    source: str
    installed: bool
    releases: tuple[HelmReleaseValues, ...] = field(default_factory=tuple)

    def to_json(self) -> dict[str, Any]:
        """Plan-JSON form (stable keys)."""
        return {
            "component": self.key,
            "appVersion": self.app_version,
            "source": self.source,
            "installed": self.installed,
            "helmReleases": [
                {"name": r.name, "chart": r.chart, "version": r.version, "namespace": r.namespace}
                for r in self.releases
            ],
        }


def _chart_owners() -> dict[str, ComponentKey]:
    return {chart.name: chart.pinned_by for spec in component_specs() for chart in spec.charts}


def _release_values(resource: RecordedResource) -> HelmReleaseValues:
    inputs = resource.inputs
    values = inputs.get("values")
    return HelmReleaseValues(
        name=str(inputs.get("name") or resource.name),
        chart=str(inputs.get("chart", "")),
        version=str(inputs.get("version", "")),
        namespace=str(inputs.get("namespace", "default")),
        values=values if isinstance(values, dict) else {},
    )


def component_versions(
    config: EnvironmentConfig, resources: Iterable[RecordedResource]
) -> list[ComponentVersions]:
    """Every switched-on component in `kfstack:components` order, with the releases installing it."""
    owners = _chart_owners()
    releases: dict[ComponentKey, list[HelmReleaseValues]] = {}
    for resource in resources:
        if resource.type != RELEASE_TYPE:
            continue
        chart_name = str(resource.inputs.get("chart", "")).rstrip("/").rsplit("/", 1)[-1]
        owner = owners.get(chart_name)
        if owner is not None:
            releases.setdefault(owner, []).append(_release_values(resource))
    absent = {a.key for a in absent_components(config)}
    components = config.components
    rows = []
    for key in COMPONENT_KEYS:
        if not components.enabled(key):
            continue
        pin = components.pin(key)
        source = pin.source()
        if pin.manifests is not None and components.manifests_directory is not None:
            source = f"{source} (local copy {components.manifests_directory})"
        rows.append(
            ComponentVersions(
                key=key,
                app_version=pin.app_version,
                source=source,
                installed=key not in absent,
                releases=tuple(sorted(releases.get(key, []), key=lambda r: r.name)),
            )
        )
    return rows
