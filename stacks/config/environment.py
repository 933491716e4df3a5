"""The whole environment: every `kfstack:*` key of one stack file, as one typed model."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Literal

from pydantic import Field

from stacks.config.auth import AuthConfig
from stacks.config.base import ConfigModel
from stacks.config.cluster import ClusterConfig
from stacks.config.components import ComponentsConfig
from stacks.config.infra_rules import infrastructure_problems
from stacks.config.node_pools import NodePoolConfig
from stacks.config.pipeline_schedules import PipelinesConfig
from stacks.config.rules import Violation, violation
from stacks.config.storage import StorageConfig

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
    auth: AuthConfig = Field(default_factory=AuthConfig)
    pipelines: PipelinesConfig = Field(default_factory=PipelinesConfig)

    def rule_problems(self) -> Iterator[Violation]:
        if self.tier == "prod" and not self.protect_stateful_resources:
            yield violation(
                "protectStatefulResources",
                "prod must protect stateful resources (cluster, volumes, file systems, buckets)",
                False,
            )
        needs_cookie = self.tier != "local" and self.components.dex.enabled
        if needs_cookie and self.auth.oauth2_proxy.cookie_secret is None:
            yield violation(
                ("auth", "oauth2Proxy", "cookieSecret"),
                f"required (as a secret) in {self.tier}",
            )
        gpu_pool = self.pipelines.gpu_pool
        if gpu_pool is not None:
            pool = self.node_pools.get(gpu_pool)
            if pool is None:
                known = ", ".join(self.node_pools) or "none defined"
                yield violation(("pipelines", "gpuPool"), f"unknown node pool; defined: {known}", gpu_pool)
            elif not pool.gpu:
                yield violation(("pipelines", "gpuPool"), "must name a pool with gpu: true", gpu_pool)
        yield from infrastructure_problems(self)
