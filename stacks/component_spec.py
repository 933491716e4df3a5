"""What a platform component declares about itself: what it installs, which CRD groups it owns,
what the mock runtime must return for the resources it creates, and when it installs nothing.

Every module in `stacks/components/` exports one `SPEC`; the plan checks and the mocks read these
declarations (`stacks/components/__init__.py` collects them) instead of keeping lists of their own.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from stacks.config.versions import ComponentKey

if TYPE_CHECKING:
    from modules.helm_chart import HelmChart
    from stacks.config.components import ComponentsConfig
    from stacks.config.environment import EnvironmentConfig

MockTemplate = Callable[[str, dict[str, Any]], dict[str, Any]]
"""(logical name, inputs) -> the outputs the engine would return beyond the inputs (camelCase)."""

ToolLocator = Callable[[str], Path]
"""A command-line tool's name ("kubectl", "helm") -> its executable (the plan locates them)."""


@dataclass(frozen=True)
class MockCallAnswer:
    """What the offline plan's mocks answer to a provider function call."""

    outputs: dict[str, Any]
    warnings: tuple[str, ...] = ()
    """Shown with the plan's warnings (e.g. what the plan cannot show offline)."""
    errors: tuple[str, ...] = ()
    """What the real provider would fail on (e.g. a local kustomization that does not build): each
    fails the plan as a problem."""


MockCall = Callable[[dict[str, Any], ToolLocator], MockCallAnswer]
"""(call arguments, tool locator) -> the answer the mocks give for a provider function."""


@dataclass(frozen=True)
class ChartSource:
    """A Helm chart a component installs; the compatibility matrix pins its repository and version."""

    name: str
    """The chart's own name (for an OCI reference, its last path segment)."""
    pinned_by: ComponentKey
    """The release-set entry whose pin lists the chart."""
    installs_crds: bool = True
    """Whether this chart installs the component's `crd_groups` (False e.g. for istiod and gateway)."""

    def pinned(self, components: ComponentsConfig) -> HelmChart:
        """This chart as the environment's release set pins it, as module args take it."""
        return components.pin(self.pinned_by).chart(self.name)

    def references(self) -> frozenset[tuple[str, str | None]]:
        """(chart, repository) as a Release records them, for every version any release set pins."""
        from stacks.config.versions import RELEASE_SETS

        return frozenset(
            (chart.name, chart.repository)
            for release in RELEASE_SETS.values()
            for pin in release.components.get(self.pinned_by, ())
            for chart in pin.charts
            if chart.chart_name == self.name
        )


@dataclass(frozen=True)
class ComponentSpec:
    """One component's declaration (see the module docstring)."""

    name: str
    summary: str
    key: ComponentKey | None = None
    """Its switch under `kfstack:components`; None for parts every stack has (cluster, storage)."""
    charts: tuple[ChartSource, ...] = ()
    crd_groups: tuple[str, ...] = ()
    """API groups whose CRDs the component's charts install; custom resources must depend on them."""
    manifests: tuple[str, ...] = ()
    """kubeflow/manifests kustomization paths the component installs (at the pinned ref)."""
    crds: tuple[str, ...] = ()
    """Names (`<plural>.<group>`) of the CRDs its kustomizations install as objects; one group may be
    shared between components (kubeflow.org: Profile, PodDefault, ScheduledWorkflow), a CRD may not."""
    mock_outputs: Mapping[str, MockTemplate] = field(default_factory=dict)
    """Resource type -> outputs the offline plan's mocks return for it."""
    mock_calls: Mapping[str, MockCall] = field(default_factory=dict)
    """Provider function token -> how the offline plan's mocks answer it."""
    replace_on: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    """Resource type -> input paths whose change replaces the resource (for `kfstack diff`)."""
    skip_reason: Callable[[EnvironmentConfig], str | None] | None = None
    """Why the component, although enabled, installs nothing in an environment (None: it installs)."""
