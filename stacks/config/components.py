"""`kfstack:components`: which platform components are installed, at which tested versions."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from pydantic import Field
from pydantic.alias_generators import to_camel

from modules.vocabulary import KServeDeploymentMode, MlflowDatabaseKind
from stacks.config.base import ConfigModel
from stacks.config.rules import Violation, violation
from stacks.config.secrets import Secret
from stacks.config.versions import COMPONENT_KEYS, DEFAULT_RELEASE, RELEASE_SETS, REQUIRES, ComponentKey, Pin


class ComponentConfig(ConfigModel):
    """An installable component; `version` defaults to the release set's pin."""

    enabled: bool = Field(True)
    version: str | None = Field(None, description="Override; must be listed in the release set.")


class OptionalComponentConfig(ComponentConfig):
    """A component that is off unless asked for."""

    enabled: bool = Field(False)


class KServeConfig(ComponentConfig):
    """KServe model serving. Canary rollouts need Knative mode (KServe >= 0.16 naming)."""

    deployment_mode: KServeDeploymentMode = Field(
        "Standard", description="Standard (plain Deployments, the default) or Knative (revisions, canaries)."
    )
    serving_namespace: str | None = Field(
        None,
        pattern=r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$",
        max_length=63,
        description=(
            "Namespace the pipelines deploy InferenceServices to (default: pipelines.namespace, a profile "
            "namespace, so the models volume can be mounted with pvc://); created unless it is a profile."
        ),
    )
    canary_traffic_percent: int | None = Field(
        None,
        ge=1,
        le=99,
        description="Share of traffic a new model revision gets before promotion (Knative mode only).",
    )

    def rule_problems(self) -> Iterator[Violation]:
        if self.canary_traffic_percent is not None and self.deployment_mode != "Knative":
            yield violation(
                "canaryTrafficPercent",
                "canary rollouts need deploymentMode: Knative (Standard mode has no revisions)",
                self.canary_traffic_percent,
            )


class MlflowDatabaseConfig(ConfigModel):
    """MLflow's backend store (runs, metrics, registered models and aliases)."""

    kind: MlflowDatabaseKind | None = Field(
        None,
        description="rds: a PostgreSQL instance the stack creates (EKS); sqlite: a file on a volume "
        "(one replica). Default: rds on EKS, sqlite on an existing cluster.",
    )
    instance_class: str = Field(
        "db.t4g.small", pattern=r"^db\.[a-z0-9]+\.[a-z0-9]+$", description="RDS instance class (rds)."
    )
    allocated_storage: int = Field(
        20, ge=20, le=65536, description="RDS storage in GiB, gp3, encrypted (rds)."
    )
    max_allocated_storage: int | None = Field(
        100, description="RDS storage autoscaling limit in GiB; null turns autoscaling off (rds)."
    )
    engine_version: str = Field(
        "17",
        pattern=r"^[0-9]{2}(\.[0-9]+)?$",
        description="PostgreSQL major (minor upgrades in the maintenance window) or major.minor (rds).",
    )
    multi_az: bool | None = Field(
        None, description="A standby in a second AZ (rds). Default: on in prod, off elsewhere."
    )
    backup_retention_days: int = Field(
        7, ge=1, le=35, description="Automated backup retention in days (rds)."
    )
    volume_size: str = Field(
        "10Gi", pattern=r"^[1-9][0-9]*(Mi|Gi|Ti)$", description="The sqlite volume's size (sqlite)."
    )

    def rule_problems(self) -> Iterator[Violation]:
        if self.max_allocated_storage is not None and self.max_allocated_storage < self.allocated_storage:
            yield violation(
                "maxAllocatedStorage",
                f"must be at least allocatedStorage ({self.allocated_storage}), "
                "or null to turn autoscaling off",
                self.max_allocated_storage,
            )


class MlflowConfig(ComponentConfig):
    """The MLflow tracking server and model registry."""

    database: MlflowDatabaseConfig = Field(
        default_factory=MlflowDatabaseConfig, description="Backend store: RDS PostgreSQL or sqlite."
    )
    replicas: int | None = Field(
        None,
        ge=1,
        le=10,
        description="Server replicas. Default: 2 with rds, 1 with sqlite (its only option).",
    )

    def database_kind(self, cluster_kind: str) -> MlflowDatabaseKind:
        """The backend store used on a cluster of `cluster_kind` (the setting, or its default)."""
        if self.database.kind is not None:
            return self.database.kind
        return "rds" if cluster_kind == "eks" else "sqlite"

    def replica_count(self, cluster_kind: str) -> int:
        """The server's replicas: the setting, or 2 with a database server and 1 with sqlite."""
        if self.replicas is not None:
            return self.replicas
        return 2 if self.database_kind(cluster_kind) == "rds" else 1


_QUANTITY = re.compile(r"^[1-9][0-9]*(Mi|Gi|Ti)$")
_PROMETHEUS_DURATION = re.compile(r"^([0-9]+(y|w|d|h|m|s|ms))+$")
_PROMETHEUS_SIZE = re.compile(r"^[1-9][0-9]*(MB|GB|TB|MiB|GiB|TiB)$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+$")


class MonitoringConfig(ComponentConfig):
    """kube-prometheus-stack: Prometheus, Alertmanager, Grafana, with kfstack's dashboards and alerts."""

    retention: str = Field(
        "15d", description="How long Prometheus keeps samples (Prometheus duration, e.g. 15d)."
    )
    retention_size: str = Field(
        "40GiB",
        description="Prometheus drops the oldest blocks beyond this size, e.g. 40GiB (below the volume).",
    )
    prometheus_storage: str = Field("50Gi", description="Prometheus volume size.")
    alertmanager_storage: str = Field(
        "2Gi", description="Alertmanager volume size (silences, notification log)."
    )
    grafana_storage: str = Field(
        "5Gi", description="Grafana volume size (its SQLite database: users, prefs)."
    )
    grafana_admins: list[str] = Field(
        default_factory=list,
        description="E-mails (as the login reports them) with Grafana's Admin role; everyone else is Viewer.",
    )

    def rule_problems(self) -> Iterator[Violation]:
        if not _PROMETHEUS_DURATION.match(self.retention):
            yield violation("retention", "must be a Prometheus duration, e.g. 15d or 12h", self.retention)
        if not _PROMETHEUS_SIZE.match(self.retention_size):
            yield violation(
                "retentionSize",
                "must be a size in MB, GB, TB, MiB, GiB or TiB, e.g. 40GiB",
                self.retention_size,
            )
        for key in ("prometheus_storage", "alertmanager_storage", "grafana_storage"):
            value = getattr(self, key)
            if not _QUANTITY.match(value):
                yield violation(to_camel(key), "must be a whole quantity in Mi, Gi or Ti, e.g. 50Gi", value)
        for index, email in enumerate(self.grafana_admins):
            if not _EMAIL.match(email):
                yield violation(("grafanaAdmins", index), "must be an e-mail address", email)


class DcgmExporterConfig(ComponentConfig):
    """The NVIDIA DCGM exporter on GPU nodes (GPU metrics for Prometheus)."""


_QUANTITY = re.compile(r"^[1-9][0-9]*(Mi|Gi|Ti)$")


class DeterminedConfig(OptionalComponentConfig):
    """Determined (upstream unmaintained since 2025-03): optional, off by default; Kubeflow's own
    training (Kubeflow Trainer, GPU pipeline steps) is the maintained path."""

    initial_user_password: Secret | None = Field(
        None,
        description=(
            "Initial password of Determined's `admin` and `determined` users, as a Pulumi secret "
            "(8+ characters with an upper-case letter, a lower-case letter and a digit); required when on."
        ),
    )
    max_slots_per_pod: int | None = Field(
        None,
        ge=1,
        description=(
            "GPUs per task pod (Determined splits larger tasks into pods of this size); default: the "
            "GPU count all GPU pools' instance types share (1 with time-slicing or unknown types)."
        ),
    )
    db_storage_size: str = Field("30Gi", description="Size of the PostgreSQL volume, e.g. 30Gi.")
    hostname: str | None = Field(
        None,
        max_length=253,
        pattern=r"^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$",
        description=(
            "DNS name of Determined's own ingress gateway, behind the Kubeflow login (required when "
            "kfstack:gateway.hostname is set; without one, the gateway is reached by port-forward)."
        ),
    )
    tls_secret_name: str | None = Field(
        None,
        description=(
            "kfstack:gateway.tls.mode existingSecret: the kubernetes.io/tls Secret in istio-system for "
            "`hostname` (otherwise cert-manager makes it with the Kubeflow gateway's issuer)."
        ),
    )

    def rule_problems(self) -> Iterator[Violation]:
        if not _QUANTITY.match(self.db_storage_size):
            yield violation(
                "dbStorageSize", "must be a whole quantity in Mi, Gi or Ti, e.g. 30Gi", self.db_storage_size
            )
        password = self.initial_user_password
        if password is not None and password.plaintext is not None:
            text = password.plaintext  # known only under the real engine; never shown
            if len(text) < 8 or not all(re.search(c, text) for c in ("[A-Z]", "[a-z]", "[0-9]")):
                yield violation(
                    "initialUserPassword",
                    "needs 8 or more characters with an upper-case letter, a lower-case letter and a digit "
                    "(the chart refuses others)",
                )


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
    manifests_directory: str | None = Field(
        None,
        description=(
            "A local copy of kubeflow/manifests at the pinned ref, used instead of the repository URL "
            "(air-gapped installs, offline plans); relative paths are relative to the project directory."
        ),
    )
    kubeflow_pipelines: ComponentConfig = Field(default_factory=ComponentConfig)
    profiles: ComponentConfig = Field(default_factory=ComponentConfig)
    pod_defaults: ComponentConfig = Field(default_factory=ComponentConfig)
    central_dashboard: ComponentConfig = Field(default_factory=ComponentConfig)
    kserve: KServeConfig = Field(default_factory=KServeConfig)
    knative: OptionalComponentConfig = Field(default_factory=OptionalComponentConfig)
    mlflow: MlflowConfig = Field(default_factory=MlflowConfig)
    monitoring: MonitoringConfig = Field(default_factory=MonitoringConfig)
    dcgm_exporter: DcgmExporterConfig = Field(default_factory=DcgmExporterConfig)
    nvidia_device_plugin: NvidiaDevicePluginConfig = Field(default_factory=NvidiaDevicePluginConfig)
    karpenter: OptionalComponentConfig = Field(default_factory=OptionalComponentConfig)
    cluster_autoscaler: OptionalComponentConfig = Field(
        default_factory=OptionalComponentConfig,
        description=(
            "The Kubernetes cluster autoscaler for managed node groups (EKS); its version must match "
            "cluster.kubernetesVersion's minor."
        ),
    )
    determined: DeterminedConfig = Field(
        default_factory=DeterminedConfig,
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

    def pin(self, component: ComponentKey) -> Pin:
        """What installs `component` at its version: the app version, charts or manifests ref."""
        return RELEASE_SETS[self.release].pin(component, self.setting(component).version)

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
                allowed = ", ".join(release.tested_versions(key))
                yield violation(
                    (key, "version"),
                    f"not a tested version for release {release.name}; allowed: {allowed}",
                    value.version,
                )
        if self.kserve.enabled and self.kserve.deployment_mode == "Knative" and not self.knative.enabled:
            yield violation(
                ("kserve", "deploymentMode"), "Knative mode needs knative.enabled: true", "Knative"
            )
        for dependency in COMPONENT_KEYS:
            dependents = [k for k in COMPONENT_KEYS if dependency in REQUIRES.get(k, ()) and self.enabled(k)]
            if dependents and not self.enabled(dependency):
                yield violation(
                    (dependency, "enabled"),
                    f"needed by {', '.join(dependents)}: switch those off too, or this on",
                    False,
                )
        if self.manifests_directory is not None:
            directory = manifests_path(self.manifests_directory)
            if not directory.is_dir():
                yield violation(
                    "manifestsDirectory",
                    f"not a directory (resolved to {directory}); give a kubeflow/manifests checkout at "
                    f"{RELEASE_SETS[self.release].pin('kubeflowPipelines').source()}",
                    self.manifests_directory,
                )

    def manifests(self, component: ComponentKey, path: str) -> str:
        """Where kustomize reads `path` of kubeflow/manifests for `component`: the local copy, or the URL."""
        if self.manifests_directory is not None:
            return str(manifests_path(self.manifests_directory) / path)
        source = self.pin(component).manifests
        if source is None:
            raise KeyError(f"{component} is not installed from manifests in release {self.release}")
        return source.url(path)


PROJECT_DIR = Path(__file__).resolve().parents[2]


def manifests_path(directory: str) -> Path:
    """A `manifestsDirectory` setting as a path: `~` expanded, relative to the project directory."""
    return (PROJECT_DIR / Path(directory).expanduser()).resolve()


_FIELD_BY_KEY: dict[str, str] = {
    (info.alias or name): name
    for name, info in ComponentsConfig.model_fields.items()
    if name not in ("release", "manifests_directory")
}
