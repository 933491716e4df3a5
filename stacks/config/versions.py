"""The compatibility matrix: component versions that are tested together, pinned in one place.

A release set is a coherent bundle (anchored on a Kubeflow manifests release) and the Kubernetes
minors it is tested on. Per component it pins the application version and where that version comes
from: the Helm charts (repository, chart, chart version, and the image tag when the chart's default
image is not that application version) or the kubeflow/manifests release (repository and ref). An
environment picks one set; a component may override its version only with another version this
matrix lists for that set. Everything that installs a chart or manifest reads its version from here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal, get_args

from modules.helm_chart import HelmChart

ComponentKey = Literal[
    "certManager",
    "istio",
    "dex",
    "oauth2Proxy",
    "kubeflowPipelines",
    "profiles",
    "podDefaults",
    "centralDashboard",
    "kserve",
    "knative",
    "mlflow",
    "monitoring",
    "dcgmExporter",
    "nvidiaDevicePlugin",
    "karpenter",
    "clusterAutoscaler",
    "determined",
]
"""A component's key under `kfstack:components` (and in the release sets)."""

COMPONENT_KEYS: tuple[ComponentKey, ...] = get_args(ComponentKey)

SUPPORTED_KUBERNETES_VERSIONS: tuple[str, ...] = ("1.33", "1.34", "1.35")
"""Kubernetes minor versions kfstack has schemas for (kubernetes-validate); a release set narrows them."""

REQUIRES: dict[ComponentKey, tuple[ComponentKey, ...]] = {
    "istio": ("certManager",),
    "dex": ("istio",),
    "oauth2Proxy": ("dex", "istio"),
    "profiles": ("istio",),
    "kubeflowPipelines": ("istio", "certManager", "oauth2Proxy", "profiles"),
    "podDefaults": ("certManager",),
    "centralDashboard": ("profiles", "oauth2Proxy"),
    "kserve": ("certManager", "istio"),
    "knative": ("istio",),
    "mlflow": ("istio", "oauth2Proxy"),
    "monitoring": ("istio", "oauth2Proxy"),
    "dcgmExporter": ("monitoring",),
    "determined": ("istio", "dex", "oauth2Proxy"),
}
"""Component -> the components it cannot work without; switching one off needs its dependents off.

Istio's gateway certificate comes from cert-manager; Dex and oauth2-proxy sit behind the gateway;
multi-user Kubeflow Pipelines authenticates through oauth2-proxy and serves profile namespaces;
the PodDefault, KFP and KServe webhooks get their certificates from cert-manager. MLflow and Grafana are
reached through the gateway behind the same login; Determined behind the same login on its own Istio
gateway (its own bearer tokens fail the Kubeflow gateway's JWT check, see docs/platform.md); the DCGM
exporter is scraped through the Prometheus operator's ServiceMonitor, which monitoring installs.
"""

KUBEFLOW_MANIFESTS = "https://github.com/kubeflow/manifests"


@dataclass(frozen=True)
class Manifests:
    """A kustomize source: a git repository at a ref (kubeflow/manifests tags have no `v`)."""

    repository: str
    ref: str

    def url(self, path: str) -> str:
        """The kustomize remote-target URL of `path` in this repository at this ref."""
        return f"{self.repository}//{path.strip('/')}?ref={self.ref}"


@dataclass(frozen=True)
class Pin:
    """One tested version of a component: the application version and what installs it."""

    app_version: str
    charts: tuple[HelmChart, ...] = ()
    manifests: Manifests | None = None
    image_tag: str | None = None
    """Set when the chart's default image is not `app_version` (the chart version is not the app's)."""

    def chart(self, name: str) -> HelmChart:
        """The pinned chart called `name` (KeyError names the ones this pin has)."""
        for chart in self.charts:
            if chart.chart_name == name:
                return chart
        raise KeyError(f"no chart {name!r} pinned; pinned: {', '.join(c.chart_name for c in self.charts)}")

    def source(self) -> str:
        """Where this version comes from, for plans and docs."""
        if self.manifests is not None:
            return f"{self.manifests.repository}@{self.manifests.ref}"
        repositories = sorted({c.repository or c.name.rsplit("/", 1)[0] for c in self.charts})
        noun = "chart" if len(self.charts) == 1 else "charts"
        charts = ", ".join(f"{c.chart_name} {c.version}" for c in self.charts)
        image = f", image tag {self.image_tag}" if self.image_tag else ""
        return f"{noun} {charts} ({', '.join(repositories)}){image}"


@dataclass(frozen=True)
class ReleaseSet:
    """Component versions known to work together on `kubernetes_versions`; the first pin is the default."""

    name: str
    kubernetes_versions: tuple[str, ...]
    components: dict[ComponentKey, tuple[Pin, ...]] = field(default_factory=dict)

    def pin(self, component: ComponentKey, version: str | None = None) -> Pin:
        """The pin of `component` at `version` (default: the set's first); KeyError when untested."""
        pins = self.components[component]
        if version is None:
            return pins[0]
        for pin in pins:
            if pin.app_version == version:
                return pin
        raise KeyError(f"{component} {version} is not tested in release {self.name}")

    def default(self, component: ComponentKey) -> str:
        """The pinned application version of `component` in this set."""
        return self.pin(component).app_version

    def tested_versions(self, component: ComponentKey) -> tuple[str, ...]:
        """Every application version of `component` this set lists."""
        return tuple(pin.app_version for pin in self.components.get(component, ()))

    def allows(self, component: ComponentKey, version: str) -> bool:
        """Whether `version` of `component` is part of this tested set."""
        return version in self.tested_versions(component)


def _kubeflow(app_version: str, ref: str) -> Pin:
    return Pin(app_version, manifests=Manifests(KUBEFLOW_MANIFESTS, ref))


_ISTIO_CHARTS = "https://istio-release.storage.googleapis.com/charts"

# Anchored on kubeflow/manifests 26.03 (the CRDs in ../shared/crds were extracted from it). Kubernetes:
# cert-manager 1.19 is tested up to 1.34, Istio 1.29 on 1.31-1.35, Kubeflow 26.03 on 1.33-1.34.
RELEASE_SETS: dict[str, ReleaseSet] = {
    "26.03": ReleaseSet(
        name="26.03",
        kubernetes_versions=("1.33", "1.34"),
        components={
            "certManager": (
                Pin("1.19.4", charts=(HelmChart("cert-manager", "v1.19.4", "https://charts.jetstack.io"),)),
            ),
            "istio": (
                Pin(
                    "1.29.0",
                    charts=(
                        HelmChart("base", "1.29.0", _ISTIO_CHARTS),
                        HelmChart("istiod", "1.29.0", _ISTIO_CHARTS),
                        HelmChart("gateway", "1.29.0", _ISTIO_CHARTS),
                    ),
                ),
            ),
            # The chart 0.24.0 runs Dex 2.44 by default; kubeflow/manifests 26.03 runs 2.45.0.
            "dex": (
                Pin(
                    "2.45.0",
                    charts=(HelmChart("dex", "0.24.0", "https://charts.dexidp.io"),),
                    image_tag="v2.45.0",
                ),
            ),
            # No chart release carries 7.14.3 (10.1.4 is the newest 7.14.x chart, at 7.14.2).
            "oauth2Proxy": (
                Pin(
                    "7.14.3",
                    charts=(HelmChart("oauth2-proxy", "10.1.4", "https://oauth2-proxy.github.io/manifests"),),
                    image_tag="v7.14.3",
                ),
            ),
            "kubeflowPipelines": (_kubeflow("2.16.0", "26.03"),),
            "profiles": (_kubeflow("1.10.0", "26.03"),),
            "podDefaults": (_kubeflow("1.10.0", "26.03"),),
            "centralDashboard": (_kubeflow("1.10.0", "26.03"),),
            "kserve": (
                Pin(
                    "0.16.0",
                    charts=(
                        HelmChart("oci://ghcr.io/kserve/charts/kserve-crd", "v0.16.0"),
                        HelmChart("oci://ghcr.io/kserve/charts/kserve", "v0.16.0"),
                    ),
                ),
            ),
            "knative": (_kubeflow("1.21.0", "26.03"),),
            "mlflow": (
                Pin(
                    "3.15.1",
                    charts=(HelmChart("mlflow", "1.11.5", "https://community-charts.github.io/helm-charts"),),
                ),
            ),
            "monitoring": (
                Pin(
                    "0.93.1",
                    charts=(
                        HelmChart(
                            "kube-prometheus-stack",
                            "88.5.3",
                            "https://prometheus-community.github.io/helm-charts",
                        ),
                    ),
                ),
            ),
            "dcgmExporter": (
                Pin(
                    "4.5.3-4.8.2",
                    charts=(
                        HelmChart(
                            "dcgm-exporter", "4.8.2", "https://nvidia.github.io/dcgm-exporter/helm-charts"
                        ),
                    ),
                ),
            ),
            "nvidiaDevicePlugin": (
                Pin(
                    "0.18.2",
                    charts=(
                        HelmChart(
                            "nvidia-device-plugin", "0.18.2", "https://nvidia.github.io/k8s-device-plugin"
                        ),
                    ),
                ),
                Pin(
                    "0.20.0",
                    charts=(
                        HelmChart(
                            "nvidia-device-plugin", "0.20.0", "https://nvidia.github.io/k8s-device-plugin"
                        ),
                    ),
                ),
            ),
            "karpenter": (
                Pin("1.14.0", charts=(HelmChart("oci://public.ecr.aws/karpenter/karpenter", "1.14.0"),)),
            ),
            # One chart for every minor; the image must match the cluster's Kubernetes minor (the
            # autoscaler's own version follows it), so the first pin is for the newest minor the set
            # tests and an environment on another minor names its pin (validate checks the match).
            # Each is the latest patch of its minor: tags cluster-autoscaler-1.3x.y of
            # kubernetes/autoscaler, images promoted to registry.k8s.io by kubernetes/k8s.io#9760
            # (2026-07-22). 1.35 is pinned for every supported minor, though 26.03 is not tested on it.
            "clusterAutoscaler": tuple(
                Pin(
                    version,
                    charts=(HelmChart("cluster-autoscaler", "9.59.0", "https://kubernetes.github.io/autoscaler"),),
                    image_tag=f"v{version}",
                )
                for version in ("1.34.5", "1.35.2", "1.33.6")
            ),
            # Upstream unmaintained since 2025-03; optional and off by default.
            "determined": (
                Pin("0.38.1", charts=(HelmChart("determined", "0.38.1", "https://helm.determined.ai"),)),
            ),
        },
    ),
}

DEFAULT_RELEASE = "26.03"


def dependents_of(component: ComponentKey) -> tuple[ComponentKey, ...]:
    """Every component that needs `component`, directly or through another, in key order."""
    found: set[ComponentKey] = set()
    frontier = {component}
    while frontier:
        frontier = {key for key, needed in REQUIRES.items() if frontier & set(needed)} - found
        found |= frontier
    return tuple(key for key in COMPONENT_KEYS if key in found)
