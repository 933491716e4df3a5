"""EC2 GPU instance types known to kfstack, so a typo or a CPU type in a GPU pool is caught early."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

from modules.vocabulary import Architecture


@dataclass(frozen=True)
class GpuInstance:
    """GPU facts about one EC2 instance type."""

    gpus: int
    gpu_model: str
    arch: Architecture = "x86_64"


def _family(
    prefix: str, model: str, sizes: dict[str, int], arch: Architecture = "x86_64"
) -> dict[str, GpuInstance]:
    return {f"{prefix}.{size}": GpuInstance(count, model, arch) for size, count in sizes.items()}


GPU_INSTANCE_TYPES: dict[str, GpuInstance] = {
    **_family(
        "g4dn",
        "T4",
        {"xlarge": 1, "2xlarge": 1, "4xlarge": 1, "8xlarge": 1, "16xlarge": 1, "12xlarge": 4, "metal": 8},
    ),
    **_family(
        "g5",
        "A10G",
        {
            "xlarge": 1,
            "2xlarge": 1,
            "4xlarge": 1,
            "8xlarge": 1,
            "16xlarge": 1,
            "12xlarge": 4,
            "24xlarge": 4,
            "48xlarge": 8,
        },
    ),
    **_family(
        "g5g",
        "T4G",
        {"xlarge": 1, "2xlarge": 1, "4xlarge": 1, "8xlarge": 1, "16xlarge": 2, "metal": 2},
        arch="arm64",
    ),
    **_family(
        "g6",
        "L4",
        {
            "xlarge": 1,
            "2xlarge": 1,
            "4xlarge": 1,
            "8xlarge": 1,
            "16xlarge": 1,
            "12xlarge": 4,
            "24xlarge": 4,
            "48xlarge": 8,
        },
    ),
    **_family(
        "g6e",
        "L40S",
        {
            "xlarge": 1,
            "2xlarge": 1,
            "4xlarge": 1,
            "8xlarge": 1,
            "16xlarge": 1,
            "12xlarge": 4,
            "24xlarge": 4,
            "48xlarge": 8,
        },
    ),
    **_family("gr6", "L4", {"4xlarge": 1, "8xlarge": 1}),
    **_family("p3", "V100", {"2xlarge": 1, "8xlarge": 4, "16xlarge": 8}),
    **_family("p3dn", "V100", {"24xlarge": 8}),
    **_family("p4d", "A100", {"24xlarge": 8}),
    **_family("p4de", "A100-80GB", {"24xlarge": 8}),
    **_family("p5", "H100", {"4xlarge": 1, "48xlarge": 8}),
    **_family("p5e", "H200", {"48xlarge": 8}),
    **_family("p5en", "H200", {"48xlarge": 8}),
}


def gpu_type_suggestions(instance_type: str, n: int = 3) -> list[str]:
    """Known GPU instance types closest to `instance_type`."""
    return difflib.get_close_matches(instance_type, sorted(GPU_INSTANCE_TYPES), n=n, cutoff=0.5)


def gpu_instance(instance_type: str) -> GpuInstance | None:
    """GPU facts for `instance_type`, or None when it is not a known GPU type."""
    return GPU_INSTANCE_TYPES.get(instance_type)


_ARM_FAMILY = re.compile(r"^[a-z]+\d+[a-z]*g[a-z]*\.")


def cpu_architecture(instance_type: str) -> Architecture:
    """`arm64` for Graviton types (m7g, c6gn, g5g ...), else `x86_64`."""
    known = GPU_INSTANCE_TYPES.get(instance_type)
    if known is not None:
        return known.arch
    return "arm64" if _ARM_FAMILY.match(instance_type) else "x86_64"
