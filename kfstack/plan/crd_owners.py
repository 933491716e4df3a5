"""Which planned resources install which CRD groups, from the components' declarations, so custom
resources can be checked to depend on them."""

from __future__ import annotations

from typing import Any

from kfstack.plan.recorder import RecordedResource
from stacks.component_spec import ChartSource
from stacks.components import component_specs

HELM_TYPES = ("kubernetes:helm.sh/v3:Release", "kubernetes:helm.sh/v4:Chart")
CRD_TYPE = "kubernetes:apiextensions.k8s.io/v1:CustomResourceDefinition"
KUSTOMIZE_TYPE = "kfstack:kustomize:Install"


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
    repository = (inputs.get("repositoryOpts") or {}).get("repo")
    return (inputs.get("chart"), repository) in chart.references()


def _defines(crd: RecordedResource, group: str, kind: str | None) -> bool:
    spec = crd.inputs.get("spec") or {}
    return spec.get("group") == group and (kind is None or (spec.get("names") or {}).get("kind") == kind)


def owners_of(group: str, resources: list[RecordedResource], kind: str | None = None) -> set[str]:
    """URNs of planned resources that install the CRD of `kind` in `group` (any kind when None): a chart
    declared to install the group, or the CRD object itself. Components may share a group
    (kubeflow.org), so a CRD object only owns its own kind."""
    charts = charts_installing(group)
    owners: set[str] = set()
    for r in resources:
        installs_chart = r.type in HELM_TYPES and any(_installs(chart, r.inputs) for chart in charts)
        if installs_chart or (r.type == CRD_TYPE and _defines(r, group, kind)):
            owners.add(r.urn)
    return owners


def remote_installs_of(group: str, resources: list[RecordedResource]) -> set[str]:
    """URNs of kustomize installs from a remote source declared to ship a CRD of `group`.

    Offline such an install registers no objects, so what custom resources wait for cannot be
    checked (the plan warns that its objects are not shown); with a local source it can.
    """
    return {
        r.urn
        for r in resources
        if r.type == KUSTOMIZE_TYPE
        and any(name.split(".", 1)[-1] == group for name in r.inputs.get("declaredCrds") or [])
    }
