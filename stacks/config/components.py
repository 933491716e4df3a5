"""`kfstack:components`: which platform components are installed, at which tested versions."""

from __future__ import annotations

from collections.abc import Iterator

from pydantic import Field

from modules.vocabulary import KServeDeploymentMode
from stacks.config.base import ConfigModel
from stacks.config.rules import Violation, violation
from stacks.config.versions import COMPONENT_KEYS, DEFAULT_RELEASE, RELEASE_SETS, ComponentKey


class ComponentConfig(ConfigModel):
    """An installable component; `version` defaults to the release set's pin."""

    enabled: bool = Field(True)
    version: str | None = Field(None, description="Override; must be listed in the release set.")


class OptionalComponentConfig(ComponentConfig):
    """A component that is off unless asked for."""

    enabled: bool = Field(False)


class KServeConfig(ComponentConfig):
    """KServe model serving. Canary rollouts need Knative mode (KServe >= 0.16 naming)."""

    deployment_mode: KServeDeploymentMode = Field("Standard")


class NvidiaDevicePluginConfig(ComponentConfig):
    """The NVIDIA device plugin DaemonSet on GPU nodes."""

    time_slicing_replicas: int = Field(1, ge=1, le=48, description="Shares per physical GPU (1: off).")


class ComponentsConfig(ConfigModel):
    """Component switches and versions, checked against the compatibility matrix."""

    release: str = Field(DEFAULT_RELEASE, description="Tested release set (see stacks/config/versions.py).")
    cert_manager: ComponentConfig = Field(default_factory=ComponentConfig)
    istio: ComponentConfig = Field(default_factory=ComponentConfig)
    dex: ComponentConfig = Field(default_factory=ComponentConfig)
    oauth2_proxy: ComponentConfig = Field(default_factory=ComponentConfig)
    kubeflow_pipelines: ComponentConfig = Field(default_factory=ComponentConfig)
    kserve: KServeConfig = Field(default_factory=KServeConfig)
    knative: OptionalComponentConfig = Field(default_factory=OptionalComponentConfig)
    mlflow: ComponentConfig = Field(default_factory=ComponentConfig)
    nvidia_device_plugin: NvidiaDevicePluginConfig = Field(default_factory=NvidiaDevicePluginConfig)
    karpenter: OptionalComponentConfig = Field(default_factory=OptionalComponentConfig)
    determined: OptionalComponentConfig = Field(
        default_factory=OptionalComponentConfig,
        description="Determined (upstream unmaintained since 2025-03): optional, off by default.",
    )

    def setting(self, component: ComponentKey) -> ComponentConfig:
        """The config section of `component`."""
        value = getattr(self, _FIELD_BY_KEY[component])
        assert isinstance(value, ComponentConfig)
        return value

    def enabled(self, component: ComponentKey) -> bool:
        """Whether `component` is switched on."""
        return self.setting(component).enabled

    def version_of(self, component: ComponentKey) -> str:
        """The version to install for `component`: its override or the release set's pin."""
        return self.setting(component).version or RELEASE_SETS[self.release].default(component)

    def rule_problems(self) -> Iterator[Violation]:
        release = RELEASE_SETS.get(self.release)
        if release is None:
            yield violation("release", f"unknown release set; known: {', '.join(RELEASE_SETS)}", self.release)
            return
        for key in COMPONENT_KEYS:
            value = self.setting(key)
            if value.version is None:
                continue
            if not release.allows(key, value.version):
                allowed = ", ".join(release.components.get(key, ()))
                yield violation(
                    (key, "version"),
                    f"not a tested version for release {release.name}; allowed: {allowed}",
                    value.version,
                )
        if self.kserve.enabled and self.kserve.deployment_mode == "Knative" and not self.knative.enabled:
            yield violation(
                ("kserve", "deploymentMode"), "Knative mode needs knative.enabled: true", "Knative"
            )
        needs_mesh = self.kubeflow_pipelines.enabled or self.dex.enabled
        if needs_mesh and not self.istio.enabled:
            yield violation(("istio", "enabled"), "Kubeflow Pipelines and Dex need Istio", False)
        if self.istio.enabled and not self.cert_manager.enabled:
            yield violation(("certManager", "enabled"), "Istio and KServe webhooks need cert-manager", False)


_FIELD_BY_KEY: dict[str, str] = {
    (info.alias or name): name
    for name, info in ComponentsConfig.model_fields.items()
    if name != "release"
}
