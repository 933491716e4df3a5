"""The Helm release every chart-installed component uses (of a pinned `HelmChart`)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pulumi
import pulumi_kubernetes as k8s

from modules.helm_chart import HelmChart

__all__ = ["HelmChart", "helm_release"]


def helm_release(
    name: str,
    chart: HelmChart,
    namespace: str,
    values: pulumi.Input[Mapping[str, Any]],
    opts: pulumi.ResourceOptions,
    release_name: str | None = None,
    create_namespace: bool = False,
) -> k8s.helm.v3.Release:
    """A `helm.v3.Release` of `chart` (one resource in the plan, rendered by the engine's Helm)."""
    return k8s.helm.v3.Release(
        name,
        name=release_name or name,
        chart=chart.name,
        version=chart.version,
        repository_opts=(k8s.helm.v3.RepositoryOptsArgs(repo=chart.repository) if chart.repository else None),
        namespace=namespace,
        create_namespace=create_namespace or None,
        values=values,
        opts=opts,
    )
