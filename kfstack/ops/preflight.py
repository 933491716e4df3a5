"""`kfstack preflight`: every check against the account, in order, as rows of one table.

Region and zones first: when the region does not answer, nothing else can be asked. Then per node
pool the instance-type offerings by zone, the vCPU quotas at maximum size and the monthly cost.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from kfstack.ops.checks import Check, Status
from kfstack.ops.offerings import offered_zones, offering_checks
from kfstack.ops.pricing import cost_checks
from kfstack.ops.quotas import quota_checks, quota_needs, vcpus_per_type
from kfstack.ops.zones import region_check, zone_checks
from stacks.config.environment import EnvironmentConfig


@dataclass(frozen=True)
class AwsClients:
    """boto3 clients: EC2 and Service Quotas in the environment's region, the Price List API."""

    ec2: Any
    quotas: Any
    pricing: Any


def nothing_to_check(config: EnvironmentConfig) -> str | None:
    """Why there is nothing to check (no EKS cluster: no region, zones or node pools to create), or None."""
    if config.cluster.kind != "eks" or config.cluster.eks is None:
        return (
            f"cluster.kind is {config.cluster.kind}: kfstack creates no EC2 capacity for this environment, "
            "so there is nothing to check"
        )
    return None


def preflight_checks(config: EnvironmentConfig, clients: AwsClients) -> list[Check]:
    """All checks of an EKS environment; AWS errors other than per-check ones propagate."""
    eks = config.cluster.eks
    assert eks is not None  # nothing_to_check() rules out the rest
    region = region_check(clients.ec2, eks.region)
    if region.status is Status.FAIL:
        return [region]
    checks = [region, *zone_checks(clients.ec2, eks.region, eks.availability_zones)]
    pools = config.node_pools
    if not pools:
        return checks
    types = sorted({t for pool in pools.values() for t in pool.instance_types})
    offered = offered_zones(clients.ec2, types, eks.availability_zones)
    checks += offering_checks(pools, eks.availability_zones, offered)
    vcpus = vcpus_per_type(clients.ec2, types)
    checks += quota_checks(clients.quotas, quota_needs(pools, vcpus))
    checks += cost_checks(clients.pricing, pools, eks.region)
    return checks
