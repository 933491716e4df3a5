"""`kfstack:nodePools`: CPU and GPU node pools, keyed by a stable pool name."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Literal

from pydantic import Field

from modules.vocabulary import GPU_PRESENT_LABEL, GPU_TAINT_KEY, Architecture, CapacityType, TaintEffect
from stacks.config.aws_values import instance_type_problem
from stacks.config.base import ConfigModel
from stacks.config.instance_types import (
    GPU_INSTANCE_TYPES,
    cpu_architecture,
    gpu_instance,
    gpu_type_suggestions,
)
from stacks.config.kubernetes_names import label_value_problem, qualified_name_problem
from stacks.config.rules import Violation, violation

GPU_FAMILIES = ", ".join(sorted({t.split(".")[0] for t in GPU_INSTANCE_TYPES}))
_RESERVED_LABEL_DOMAINS = (
    "kubernetes.io",
    "k8s.io",
    "karpenter.sh",
    "karpenter.k8s.aws",
    "eks.amazonaws.com",
)


class Taint(ConfigModel):
    """A Kubernetes node taint."""

    key: str = Field(description="Taint key, e.g. nvidia.com/gpu.")
    value: str | None = Field(None, description="Optional taint value.")
    effect: TaintEffect = Field("NoSchedule", description="Taint effect.")

    def rule_problems(self) -> Iterator[Violation]:
        if why := qualified_name_problem(self.key):
            yield violation("key", f"taint key: {why}", self.key)
        if self.value is not None and (why := label_value_problem(self.value)):
            yield violation("value", f"taint value: {why}", self.value)


class NodePoolConfig(ConfigModel):
    """One node pool. GPU pools scale from zero and must be tainted so only GPU work lands there.

    On EKS each pool is created (managed node group or Karpenter); on an existing cluster a pool
    describes nodes the cluster already has, so pipelines get its placement and GPU pools the
    device plugin.
    """

    instance_types: list[str] = Field(min_length=1, description="EC2 instance types, first preferred.")
    min_size: int = Field(0, ge=0, description="Minimum nodes (0 lets GPU pools scale from zero).")
    desired_size: int = Field(0, ge=0, description="Initial node count.")
    max_size: int = Field(1, ge=1, description="Maximum nodes.")
    disk_size_gib: int = Field(
        100,
        ge=20,
        le=16384,
        description="Root volume size in GiB; it holds container images and ephemeral storage "
        "(AL2023 nodes have no separate data volume), so size it for GPU images.",
    )
    capacity_type: CapacityType = Field("ON_DEMAND", description="On-demand or spot.")
    gpu: bool = Field(False, description="A GPU pool (NVIDIA AMI, device plugin, GPU taint).")
    provisioner: Literal["managedNodeGroup", "karpenter"] = Field(
        "managedNodeGroup", description="EKS managed node group, or Karpenter NodePool + EC2NodeClass."
    )
    labels: dict[str, str] = Field(default_factory=dict, description="Extra node labels.")
    taints: list[Taint] = Field(default_factory=list, description="Node taints.")

    @property
    def architecture(self) -> Architecture:
        """CPU architecture of the pool's instance types (`x86_64` or `arm64`)."""
        return cpu_architecture(self.instance_types[0])

    def gpus_per_node(self) -> int:
        """The largest GPU count among the pool's instance types (0 for CPU pools)."""
        counts = [g.gpus for t in self.instance_types if (g := gpu_instance(t)) is not None]
        return max(counts, default=0)

    def rule_problems(self) -> Iterator[Violation]:
        if not self.min_size <= self.desired_size <= self.max_size:
            yield violation(
                "minSize",
                "sizes must satisfy minSize <= desiredSize <= maxSize",
                f"minSize={self.min_size}, desiredSize={self.desired_size}, maxSize={self.max_size}",
            )
        if self.provisioner == "karpenter" and (self.min_size or self.desired_size):
            yield violation(
                "minSize", "Karpenter pools provision on demand: minSize and desiredSize must be 0"
            )
        if len(set(self.instance_types)) != len(self.instance_types):
            yield violation("instanceTypes", "duplicate instance types", self.instance_types)
        for i, instance_type in enumerate(self.instance_types):
            if why := instance_type_problem(instance_type):
                yield violation(("instanceTypes", i), why, instance_type)
        architectures = {cpu_architecture(t) for t in self.instance_types}
        if len(architectures) > 1:
            yield violation(
                "instanceTypes",
                "mixes x86_64 and arm64 types; one pool has one AMI type",
                self.instance_types,
            )
        for key, value in self.labels.items():
            if why := qualified_name_problem(key):
                yield violation(("labels", key), f"label key: {why}", key)
            elif why := label_value_problem(value):
                yield violation(("labels", key), f"label value: {why}", value)
            domain = key.split("/", 1)[0] if "/" in key else ""
            if any(domain == d or domain.endswith("." + d) for d in _RESERVED_LABEL_DOMAINS):
                yield violation(("labels", key), f"label domain '{domain}' is reserved")
        yield from self._gpu_problems()

    def _gpu_problems(self) -> Iterator[Violation]:
        if not self.gpu:
            for i, instance_type in enumerate(self.instance_types):
                if instance_type in GPU_INSTANCE_TYPES:
                    yield violation(
                        ("instanceTypes", i),
                        "a GPU instance type in a pool without `gpu: true` (set it, so the pool is tainted)",
                        instance_type,
                    )
            return
        if not any(t.key == GPU_TAINT_KEY and t.effect == "NoSchedule" for t in self.taints):
            yield violation(
                "taints",
                f"a GPU pool must carry the taint {{key: {GPU_TAINT_KEY}, effect: NoSchedule}} "
                "so that only pods tolerating it are scheduled on GPU nodes",
            )
        if self.labels.get(GPU_PRESENT_LABEL, "true") != "true":
            yield violation(
                ("labels", GPU_PRESENT_LABEL),
                "set to 'true' on GPU pools (the device plugin selects it)",
                self.labels[GPU_PRESENT_LABEL],
            )
        for i, instance_type in enumerate(self.instance_types):
            if instance_type not in GPU_INSTANCE_TYPES:
                hint = gpu_type_suggestions(instance_type)
                more = f"; did you mean {', '.join(hint)}?" if hint else ""
                yield violation(
                    ("instanceTypes", i),
                    f"not a known GPU instance type{more} (families: {GPU_FAMILIES})",
                    instance_type,
                )
