"""What every builder knows about the stack it builds: the environment and its validated config."""

from __future__ import annotations

from dataclasses import dataclass

import pulumi

from stacks.config.environment import EnvironmentConfig


@dataclass(frozen=True)
class StackContext:
    """One environment being built."""

    environment: str
    config: EnvironmentConfig

    @property
    def cluster_name(self) -> str:
        """The EKS cluster name (config, or `kfstack-<environment>`)."""
        eks = self.config.cluster.eks
        return (eks.name if eks else None) or f"kfstack-{self.environment}"

    def stateful(self, opts: pulumi.ResourceOptions | None = None) -> pulumi.ResourceOptions:
        """`opts` plus protect and retain-on-delete where the environment keeps its state (prod)."""
        keep = self.config.protect_stateful_resources
        return pulumi.ResourceOptions.merge(opts, pulumi.ResourceOptions(protect=keep, retain_on_delete=keep))
