"""The stack program: compose modules from one validated environment. Reads no config itself."""

from __future__ import annotations

import pulumi

from modules.namespaces import PlatformNamespaces, platform_namespaces
from stacks.config.environment import EnvironmentConfig
from stacks.infrastructure import attach_volumes, build_infrastructure


def build_platform(environment: str, config: EnvironmentConfig) -> None:
    """Create every resource of `environment` and export what operators need."""
    cluster_cfg = config.cluster
    infrastructure = build_infrastructure(environment, config)
    provider = infrastructure.provider

    namespaces = PlatformNamespaces(
        "platform",
        platform_namespaces(config.components.istio.enabled, config.pipelines.namespace),
        provider,
    )
    attach_volumes(config, infrastructure, namespaces.namespaces)
    pulumi.export("environment", environment)
    pulumi.export("kubernetesVersion", cluster_cfg.kubernetes_version)
