"""`kfstack:nodePools`: CPU and GPU node pools, keyed by a stable pool name."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Literal

from pydantic import Field

from stacks.config.base import ConfigModel
from stacks.config.instance_types import GPU_INSTANCE_TYPES, gpu_type_suggestions
from stacks.config.rules import Violation, violation

GPU_TAINT_KEY = "nvidia.com/gpu"
GPU_PRESENT_LABEL = "nvidia.com/gpu.present"


class Taint(ConfigModel):
    """A Kubernetes node taint."""

    key: str
    value: str | None = None
    effect: Literal["NoSchedule", "PreferNoSchedule", "NoExecute"] = "NoSchedule"


class NodePoolConfig(ConfigModel):
    """One node pool. GPU pools scale from zero and must be tainted so only GPU work lands there."""

    instance_types: list[str] = Field(min_length=1, description="EC2 instance types, first preferred.")
    min_size: int = Field(0, ge=0, description="Minimum nodes (0 lets GPU pools scale from zero).")
    desired_size: int = Field(0, ge=0, description="Initial node count.")
    max_size: int = Field(1, ge=1, description="Maximum nodes.")
    disk_size_gib: int = Field(100, ge=20, le=16384, description="Root volume size in GiB.")
    capacity_type: Literal["ON_DEMAND", "SPOT"] = Field("ON_DEMAND", description="On-demand or spot.")
    gpu: bool = Field(False, description="A GPU pool (NVIDIA AMI, device plugin, GPU taint).")
    labels: dict[str, str] = Field(default_factory=dict, description="Extra node labels.")
    taints: list[Taint] = Field(default_factory=list, description="Node taints.")

    def rule_problems(self) -> Iterator[Violation]:
        if not self.min_size <= self.desired_size <= self.max_size:
            yield violation(
                "minSize",
                "sizes must satisfy minSize <= desiredSize <= maxSize",
                f"minSize={self.min_size}, desiredSize={self.desired_size}, maxSize={self.max_size}",
            )
        if not self.gpu:
            return
        if not any(t.key == GPU_TAINT_KEY and t.effect == "NoSchedule" for t in self.taints):
            yield violation(
                "taints",
                f"a GPU pool must carry the taint {{key: {GPU_TAINT_KEY}, effect: NoSchedule}} "
                "so that only pods tolerating it are scheduled on GPU nodes",
            )
        for i, instance_type in enumerate(self.instance_types):
            if instance_type not in GPU_INSTANCE_TYPES:
                hint = gpu_type_suggestions(instance_type)
                more = f"; did you mean {', '.join(hint)}?" if hint else ""
                yield violation(
                    ("instanceTypes", i),
                    f"not a known GPU instance type{more} (families: g4dn, g5, g5g, g6, g6e, gr6, p3, p4d, p5)",
                    instance_type,
                )
