"""Which planned resources install which CRD groups, from the components' declarations, so custom
resources can be checked to depend on them."""

from __future__ import annotations

from typing import Any

from kfstack.plan.recorder import RecordedResource
from stacks.component_spec import ChartSource
from stacks.components import component_specs

HELM_TYPES = ("kubernetes:helm.sh/v3:Release", "kubernetes:helm.sh/v4:Chart")
CRD_TYPE = "kubernetes:apiextensions.k8s.io/v1:CustomResourceDefinition"


def charts_installing(group: str) -> list[ChartSource]:
    """The charts whose components declare that they install CRDs of `group`."""
    return [
        chart
        for spec in component_specs()
        if group in spec.crd_groups
        for chart in spec.charts
        if chart.installs_crds
    ]


def _installs(chart: ChartSource, inputs: dict[str, Any]) -> bool:
    recorded = str(inputs.get("chart") or "")
    return recorded.rstrip("/").rsplit("/", 1)[-1] == chart.name


def owners_of(group: str, resources: list[RecordedResource]) -> set[str]:
    """URNs of planned resources that install CRDs of `group` (a declared chart, or the CRD itself)."""
    charts = charts_installing(group)
    owners: set[str] = set()
    for r in resources:
        installs_chart = r.type in HELM_TYPES and any(_installs(chart, r.inputs) for chart in charts)
        is_crd = r.type == CRD_TYPE and (r.inputs.get("spec") or {}).get("group") == group
        if installs_chart or is_crd:
            owners.add(r.urn)
    return owners
