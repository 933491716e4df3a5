"""Preflight: which of each node pool's instance types EC2 offers in which chosen AZ.

A type offered in only some zones is a warning (nodes of that type land only there); a type offered
in none of them, or a zone where none of the pool's types is offered, fails.
"""

from __future__ import annotations

from typing import Any

from kfstack.ops.checks import Check, Status
from stacks.config.node_pools import NodePoolConfig


def offered_zones(ec2: Any, instance_types: list[str], zones: list[str]) -> dict[str, set[str]]:
    """Instance type -> the chosen zones EC2 offers it in (DescribeInstanceTypeOfferings by AZ)."""
    offered: dict[str, set[str]] = {t: set() for t in instance_types}
    paginator = ec2.get_paginator("describe_instance_type_offerings")
    pages = paginator.paginate(
        LocationType="availability-zone",
        Filters=[
            {"Name": "instance-type", "Values": sorted(set(instance_types))},
            {"Name": "location", "Values": sorted(set(zones))},
        ],
    )
    for page in pages:
        for offering in page["InstanceTypeOfferings"]:
            offered.setdefault(offering["InstanceType"], set()).add(offering["Location"])
    return offered


def offering_checks(
    pools: dict[str, NodePoolConfig], zones: list[str], offered: dict[str, set[str]]
) -> list[Check]:
    """One row per pool and instance type, and one per pool with a zone none of its types reaches."""
    checks = []
    for name, pool in pools.items():
        for instance_type in pool.instance_types:
            have = [z for z in zones if z in offered.get(instance_type, set())]
            missing = [z for z in zones if z not in have]
            figures = {
                "pool": name,
                "instanceType": instance_type,
                "offeredIn": have,
                "notOfferedIn": missing,
            }
            subject = f"{name}: {instance_type}"
            if not have:
                checks.append(
                    Check("offering", subject, Status.FAIL, "offered in none of the chosen zones", figures)
                )
            elif missing:
                checks.append(
                    Check(
                        "offering",
                        subject,
                        Status.WARN,
                        f"not offered in {', '.join(missing)}; offered in {', '.join(have)}",
                        figures,
                    )
                )
            else:
                checks.append(
                    Check("offering", subject, Status.PASS, f"offered in {', '.join(have)}", figures)
                )
        uncovered = [z for z in zones if not any(z in offered.get(t, set()) for t in pool.instance_types)]
        if uncovered:
            checks.append(
                Check(
                    "offering",
                    name,
                    Status.FAIL,
                    f"none of {', '.join(pool.instance_types)} is offered in {', '.join(uncovered)}: "
                    "the pool cannot place nodes there (drop the zone or add a type offered in it)",
                    {"pool": name, "zonesWithoutType": uncovered},
                )
            )
    return checks
