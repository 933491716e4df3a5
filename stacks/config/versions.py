"""The compatibility matrix: component versions that are tested together, pinned in one place.

A release set is a coherent bundle (anchored on a Kubeflow manifests release). An environment
picks one set; a component may override its version only with another version this matrix lists
for that set. Everything that installs a chart or manifest reads its version from here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal, get_args

ComponentKey = Literal[
    "certManager",
    "istio",
    "dex",
    "oauth2Proxy",
    "kubeflowPipelines",
    "kserve",
    "knative",
    "mlflow",
    "nvidiaDevicePlugin",
    "karpenter",
    "determined",
]
"""A component's key under `kfstack:components` (and in the release sets)."""

COMPONENT_KEYS: tuple[ComponentKey, ...] = get_args(ComponentKey)

SUPPORTED_KUBERNETES_VERSIONS: tuple[str, ...] = ("1.33", "1.34", "1.35")
"""Kubernetes minor versions the platform is validated against (schemas from kubernetes-validate)."""


@dataclass(frozen=True)
class ReleaseSet:
    """Component versions known to work together; the first version of each entry is the default."""

    name: str
    components: dict[ComponentKey, tuple[str, ...]] = field(default_factory=dict)

    def default(self, component: ComponentKey) -> str:
        """The pinned version of `component` in this set."""
        return self.components[component][0]

    def allows(self, component: ComponentKey, version: str) -> bool:
        """Whether `version` of `component` is part of this tested set."""
        return version in self.components.get(component, ())


# Anchored on kubeflow/manifests 26.03 (the CRDs in ../shared/crds were extracted from it).
RELEASE_SETS: dict[str, ReleaseSet] = {
    "26.03": ReleaseSet(
        name="26.03",
        components={
            "kubeflowPipelines": ("2.16.0",),
            "istio": ("1.29.0",),
            "certManager": ("1.19.4",),
            "dex": ("2.45.0",),
            "oauth2Proxy": ("7.14.3",),
            "kserve": ("0.16.0",),
            "knative": ("1.21.0",),
            "mlflow": ("3.5.0",),
            "nvidiaDevicePlugin": ("0.18.2",),
            "karpenter": ("1.14.0",),
            # Upstream unmaintained since 2025-03; optional and off by default.
            "determined": ("0.38.0",),
        },
    ),
}

DEFAULT_RELEASE = "26.03"
