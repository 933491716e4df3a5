"""The stack program: compose modules from one validated environment. Reads no config itself."""

from __future__ import annotations

import pulumi

from modules.cluster import ExistingCluster, ExistingClusterArgs
from modules.namespaces import PlatformNamespaces, platform_namespaces
from stacks.config.environment import EnvironmentConfig


def build_platform(environment: str, config: EnvironmentConfig) -> None:
    """Create every resource of `environment` and export what operators need."""
    cluster_cfg = config.cluster
    if cluster_cfg.kind == "existing":
        assert cluster_cfg.existing is not None  # guaranteed by the schema rules
        cluster = ExistingCluster(
            "cluster",
            ExistingClusterArgs(cluster_cfg.existing.kubeconfig, cluster_cfg.existing.context),
        )
        provider = cluster.provider
    else:
        raise NotImplementedError("EKS clusters are provided by the infrastructure layer")

    PlatformNamespaces(
        "platform",
        platform_namespaces(config.components.istio.enabled, config.pipelines.namespace),
        provider,
    )
    pulumi.export("environment", environment)
    pulumi.export("kubernetesVersion", cluster_cfg.kubernetes_version)
