"""The whole environment: every `kfstack:*` key of one stack file, as one typed model."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Literal

from pydantic import Field
from pydantic.alias_generators import to_camel

from modules.vocabulary import MLFLOW_NAMESPACE, POOL_LABEL
from stacks.config.auth import AuthConfig
from stacks.config.base import ConfigModel
from stacks.config.cluster import ClusterConfig
from stacks.config.components import ComponentsConfig
from stacks.config.gateway import GatewayConfig
from stacks.config.images import ImagesConfig
from stacks.config.infra_rules import infrastructure_problems
from stacks.config.kubernetes_names import dns_label_problem
from stacks.config.node_pools import NodePoolConfig
from stacks.config.pipeline_schedules import PipelinesConfig
from stacks.config.profiles import ProfileConfig
from stacks.config.rules import Violation, violation
from stacks.config.state_backend import StateBackendConfig
from stacks.config.storage import StorageConfig
from stacks.config.versions import RELEASE_SETS, SUPPORTED_KUBERNETES_VERSIONS

Tier = Literal["local", "dev", "staging", "prod"]


class EnvironmentConfig(ConfigModel):
    """One environment (a Pulumi stack): keys live under the `kfstack:` config namespace."""

    tier: Tier = Field(description="local, dev, staging or prod: selects the rules that apply.")
    protect_stateful_resources: bool = Field(
        False, description="Protect and retain the cluster, volumes, file systems and buckets."
    )
    cluster: ClusterConfig
    node_pools: dict[str, NodePoolConfig] = Field(default_factory=dict)
    storage: StorageConfig = Field(default_factory=StorageConfig)
    components: ComponentsConfig = Field(default_factory=ComponentsConfig)
    gateway: GatewayConfig = Field(default_factory=GatewayConfig)
    auth: AuthConfig = Field(default_factory=AuthConfig)
    profiles: list[ProfileConfig] = Field(
        default_factory=list,
        description="Kubeflow profiles (team namespaces) with owner, contributors, quota.",
    )
    pipelines: PipelinesConfig = Field(default_factory=PipelinesConfig)
    images: ImagesConfig = Field(
        default_factory=ImagesConfig, description="A private registry for every image (air-gapped)."
    )
    state_backend: StateBackendConfig | None = Field(
        None, description="The S3 state backend `kfstack bootstrap` creates (not for local)."
    )

    def profile_namespaces(self) -> frozenset[str]:
        """Namespaces the Kubeflow profile controller creates (one per profile, while profiles are on)."""
        if not self.components.enabled("profiles"):
            return frozenset()
        return frozenset(profile.name for profile in self.profiles)

    def serving_namespace(self) -> str:
        """Where the pipelines deploy InferenceServices: `components.kserve.servingNamespace`, else the
        pipelines namespace (a profile namespace: the models volume's claim is there)."""
        return self.components.kserve.serving_namespace or self.pipelines.namespace

    def rule_problems(self) -> Iterator[Violation]:
        if self.tier == "prod" and not self.protect_stateful_resources:
            yield violation(
                "protectStatefulResources",
                "prod must protect stateful resources (cluster, volumes, file systems, buckets)",
                False,
            )
        yield from self._release_problems()
        yield from self._node_pool_name_problems()
        yield from self._state_backend_problems()
        yield from self._gateway_problems()
        yield from self._login_problems()
        yield from self._profile_problems()
        yield from self._determined_problems()
        yield from self._mlflow_problems()
        yield from self._kserve_problems()
        yield from self._model_store_problems()
        gpu_pool = self.pipelines.gpu_pool
        if gpu_pool is not None:
            pool = self.node_pools.get(gpu_pool)
            if pool is None:
                known = ", ".join(self.node_pools) or "none defined"
                yield violation(("pipelines", "gpuPool"), f"unknown node pool; defined: {known}", gpu_pool)
            elif not pool.gpu:
                yield violation(("pipelines", "gpuPool"), "must name a pool with gpu: true", gpu_pool)
        yield from infrastructure_problems(self)

    def _model_store_problems(self) -> Iterator[Violation]:
        """The registered pipelines need somewhere KServe loads model versions from: beside MLflow's
        run artifacts in S3 (EKS with the stack's MLflow), else the `models` volume (pvc://)."""
        in_s3 = self.cluster.kind == "eks" and self.components.enabled("mlflow")
        if self.pipelines.registered and not in_s3 and "models" not in self.storage.volumes:
            yield violation(
                ("storage", "volumes"),
                "the registered pipelines keep model versions on the `models` volume here (pvc://; "
                "only EKS with the stack's MLflow keeps them in S3): define storage.volumes.models "
                "or register no pipelines",
                sorted(self.storage.volumes),
            )

    def _node_pool_name_problems(self) -> Iterator[Violation]:
        """A pool's name is the value of the `kfstack.io/pool` label its nodes carry and pipelines
        select on: a valid name, and not overridden under the pool's own labels."""
        for name, pool in self.node_pools.items():
            if why := dns_label_problem(name):
                yield violation(
                    ("nodePools", name), f"the pool's name is its {POOL_LABEL} label value: {why}", name
                )
            own = pool.labels.get(POOL_LABEL)
            if own is not None and own != name:
                yield violation(
                    ("nodePools", name, "labels", POOL_LABEL),
                    f"kfstack sets {POOL_LABEL}: {name} (the pool's name) and pods select on it; "
                    "remove this label",
                    own,
                )

    def _state_backend_problems(self) -> Iterator[Violation]:
        if self.tier == "local" and self.state_backend is not None:
            yield violation(
                "stateBackend", "local keeps its state in the repository (file backend); remove this section"
            )

    def _release_problems(self) -> Iterator[Violation]:
        release = RELEASE_SETS.get(self.components.release)
        version = self.cluster.kubernetes_version
        if release is None or version not in SUPPORTED_KUBERNETES_VERSIONS:
            return  # reported as unknown release / unsupported version
        if version not in release.kubernetes_versions:
            yield violation(
                ("cluster", "kubernetesVersion"),
                f"release set {release.name} is not tested on Kubernetes {version}; "
                f"tested: {', '.join(release.kubernetes_versions)}",
                version,
            )

    def _gateway_problems(self) -> Iterator[Violation]:
        if not self.components.enabled("istio"):
            return
        gateway = self.gateway
        if self.tier != "local" and gateway.hostname is None:
            yield violation(("gateway", "hostname"), f"required in {self.tier} (the login redirects to it)")
        if self.tier != "local" and gateway.tls.mode == "selfSigned":
            yield violation(
                ("gateway", "tls", "mode"),
                f"a self-signed certificate is for local only; use acme or existingSecret in {self.tier}",
                "selfSigned",
            )
        if self.cluster.kind != "eks" and gateway.load_balancer not in (None, "none"):
            yield violation(
                ("gateway", "loadBalancer"),
                "only on EKS; an existing cluster's gateway is a ClusterIP Service (port-forward)",
                gateway.load_balancer,
            )

    def _login_problems(self) -> Iterator[Violation]:
        if self.tier == "local":
            return  # local generates a user with a random password and the oauth2-proxy secrets
        dex = self.auth.dex
        if self.components.enabled("dex") and not dex.static_users and not dex.connectors:
            yield violation(
                ("auth", "dex"),
                f"no way to log in: add staticUsers (bcrypt hashes as secrets) or connectors; "
                f"{self.tier} has no default user",
            )
        if self.components.enabled("oauth2Proxy"):
            for key in ("cookie_secret", "client_secret"):
                if getattr(self.auth.oauth2_proxy, key) is None:
                    yield violation(
                        ("auth", "oauth2Proxy", to_camel(key)), f"required (as a secret) in {self.tier}"
                    )

    def _kserve_problems(self) -> Iterator[Violation]:
        configured = self.components.kserve.serving_namespace
        if self.components.enabled("kserve") and configured in RESERVED_NAMESPACES:
            yield violation(
                ("components", "kserve", "servingNamespace"),
                "a platform namespace; use a profile namespace or a namespace of its own",
                configured,
            )

    def _profile_problems(self) -> Iterator[Violation]:
        names: dict[str, int] = {}
        for index, profile in enumerate(self.profiles):
            if profile.name in names:
                yield violation(
                    ("profiles", index, "name"),
                    f"duplicate profile; profiles[{names[profile.name]}] has it",
                    profile.name,
                )
            names.setdefault(profile.name, index)
            if profile.name in RESERVED_NAMESPACES:
                yield violation(
                    ("profiles", index, "name"), "a platform namespace, not a profile", profile.name
                )
        if self.profiles and not self.components.enabled("profiles"):
            yield violation(
                ("components", "profiles", "enabled"), "profiles are declared, so this must be on", False
            )
        multi_user = self.components.enabled("kubeflowPipelines") and self.components.enabled("profiles")
        namespace = self.pipelines.namespace
        if multi_user and self.pipelines.manages_kfp_objects() and namespace not in names:
            known = ", ".join(names) or "none declared"
            yield violation(
                ("pipelines", "namespace"),
                f"multi-user Kubeflow Pipelines runs pipelines in profile namespaces; declare a profile "
                f"named {namespace!r} under profiles (declared: {known})",
                namespace,
            )

    def _determined_problems(self) -> Iterator[Violation]:
        determined = self.components.determined
        if not determined.enabled:
            return
        where = ("components", "determined")
        if not any(pool.gpu for pool in self.node_pools.values()):
            yield violation(
                (*where, "enabled"),
                "needs a GPU node pool (nodePools.<name>.gpu: true): Determined's resource pools map to them",
                True,
            )
        if determined.initial_user_password is None:
            yield violation(
                (*where, "initialUserPassword"),
                "required (as a secret) when Determined is on: `pulumi config set --secret --path "
                "'kfstack:components.determined.initialUserPassword' <password>`",
            )
        yield from self._determined_gateway_problems()
        replicas = self.components.nvidia_device_plugin.time_slicing_replicas
        slots = determined.max_slots_per_pod
        if slots is not None and slots > 1 and replicas > 1:
            yield violation(
                (*where, "maxSlotsPerPod"),
                f"must be 1 while GPUs are time-sliced (nvidiaDevicePlugin.timeSlicingReplicas: {replicas}): "
                "the device plugin fails pods asking for more than one shared GPU",
                slots,
            )

    def _determined_gateway_problems(self) -> Iterator[Violation]:
        determined = self.components.determined
        where = ("components", "determined")
        gateway = self.gateway
        if gateway.hostname is not None and determined.hostname is None:
            yield violation(
                (*where, "hostname"),
                "required when kfstack:gateway.hostname is set: Determined is served behind the login on "
                "its own ingress gateway and hostname (oauth2-proxy's cookie is then secure: HTTPS only)",
            )
        if determined.hostname is not None and determined.hostname == gateway.hostname:
            yield violation(
                (*where, "hostname"),
                "must differ from kfstack:gateway.hostname: Determined has its own ingress gateway",
                determined.hostname,
            )
        existing = gateway.tls.mode == "existingSecret"
        if existing and determined.tls_secret_name is None:
            yield violation(
                (*where, "tlsSecretName"),
                "required when kfstack:gateway.tls.mode is 'existingSecret': a kubernetes.io/tls Secret "
                "in istio-system for components.determined.hostname",
            )
        if not existing and determined.tls_secret_name is not None:
            yield violation(
                (*where, "tlsSecretName"),
                f"only used when kfstack:gateway.tls.mode is 'existingSecret' (mode is '{gateway.tls.mode}')",
                determined.tls_secret_name,
            )

    def _mlflow_problems(self) -> Iterator[Violation]:
        """MLflow's store must fit the cluster: RDS only on EKS (where it is required outside tier local:
        sqlite is one pod on one volume), and on EKS the artifact bucket, where KServe loads models from.
        An existing cluster has only sqlite, whatever its tier."""
        mlflow = self.components.mlflow
        if not mlflow.enabled:
            return
        kind = mlflow.database_kind(self.cluster.kind)
        path = ("components", "mlflow")
        if kind == "rds" and self.cluster.kind != "eks":
            yield violation(
                (*path, "database", "kind"),
                "the stack creates RDS only on EKS; use sqlite on an existing cluster",
                "rds",
            )
        if kind == "sqlite" and self.cluster.kind == "eks" and self.tier != "local":
            yield violation(
                (*path, "database", "kind"),
                f"sqlite is one pod on one ReadWriteOnce volume, with no failover or backups; "
                f"{self.tier} needs rds",
                "sqlite",
            )
        if kind == "sqlite" and (mlflow.replicas or 1) > 1:
            yield violation(
                (*path, "replicas"),
                "sqlite allows one writer: one replica, or database.kind rds",
                mlflow.replicas,
            )
        if self.cluster.kind == "eks" and self.storage.artifact_bucket.enabled is False:
            yield violation(
                ("storage", "artifactBucket", "enabled"),
                "MLflow on EKS keeps run artifacts and registered models in the artifact bucket "
                "(KServe loads them from s3://); enable it, or set components.mlflow.enabled: false",
                False,
            )


RESERVED_NAMESPACES = frozenset(
    {
        "default",
        "kube-system",
        "kube-public",
        "kube-node-lease",
        "kubeflow",
        "kubeflow-system",
        "istio-system",
        "cert-manager",
        "auth",
        "oauth2-proxy",
        "kfstack-system",
        "determined",
        MLFLOW_NAMESPACE,
        "kserve",
        "knative-serving",
        "monitoring",
    }
)
