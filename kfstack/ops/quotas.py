"""Preflight: does the account's EC2 vCPU quota for each instance family cover the pools at maximum size?

EC2 limits running instances per family group in vCPUs, separately for On-Demand and Spot. The codes
are the EC2 quotas of Service Quotas (service code `ec2`), as listed by
`aws service-quotas list-service-quotas --service-code ec2`:

    On-Demand                                        Spot
    L-1216C47A Running On-Demand Standard            L-34B43A08 All Standard Spot Instance Requests
               (A, C, D, H, I, M, R, T, Z)
    L-DB2E81BA Running On-Demand G and VT            L-3819A6DF All G and VT Spot Instance Requests
    L-417A185B Running On-Demand P                   L-7212CCBC All P Spot Instance Requests
    L-74FC7D96 Running On-Demand F                   L-88CF9481 All F Spot Instance Requests
    L-1945791B Running On-Demand Inf                 L-B5D1601B All Inf Spot Instance Requests
    L-2C3B7624 Running On-Demand Trn                 L-6B0D517C All Trn Spot Instance Requests
    L-6E869C2A Running On-Demand DL                  L-85EED4F7 All DL Spot Instance Requests
    L-7295265B Running On-Demand X                   L-E3A00192 All X Spot Instance Requests

Pools that share a quota add up: two G pools at maximum need the sum of their vCPUs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from botocore.exceptions import ClientError

from kfstack.ops.aws_errors import describe_aws_error, error_code
from kfstack.ops.checks import Check, Status
from stacks.config.node_pools import NodePoolConfig

SERVICE_CODE = "ec2"

# family group -> (On-Demand quota code, Spot quota code)
QUOTA_CODES: dict[str, tuple[str, str]] = {
    "Standard": ("L-1216C47A", "L-34B43A08"),
    "G and VT": ("L-DB2E81BA", "L-3819A6DF"),
    "P": ("L-417A185B", "L-7212CCBC"),
    "F": ("L-74FC7D96", "L-88CF9481"),
    "Inf": ("L-1945791B", "L-B5D1601B"),
    "Trn": ("L-2C3B7624", "L-6B0D517C"),
    "DL": ("L-6E869C2A", "L-85EED4F7"),
    "X": ("L-7295265B", "L-E3A00192"),
}
_GROUP_OF_PREFIX = {
    "g": "G and VT", "gr": "G and VT", "vt": "G and VT",
    "p": "P", "f": "F", "inf": "Inf", "trn": "Trn", "dl": "DL", "x": "X",
}  # fmt: skip
_PREFIX = re.compile(r"^([a-z]+)\d")


def family_group(instance_type: str) -> str:
    """The quota group of an instance type: g5.xlarge -> 'G and VT', p5.48xlarge -> 'P', m6i -> 'Standard'."""
    match = _PREFIX.match(instance_type)
    prefix = match.group(1) if match else ""
    return _GROUP_OF_PREFIX.get(prefix, "Standard")


def quota_code(instance_type: str, spot: bool) -> str:
    on_demand, spot_code = QUOTA_CODES[family_group(instance_type)]
    return spot_code if spot else on_demand


def vcpus_per_type(ec2: Any, instance_types: list[str]) -> dict[str, int]:
    """Default vCPUs of each type (EC2 DescribeInstanceTypes)."""
    vcpus: dict[str, int] = {}
    paginator = ec2.get_paginator("describe_instance_types")
    # a filter, not InstanceTypes=: a type the region does not have is left out instead of an error
    filters = [{"Name": "instance-type", "Values": sorted(set(instance_types))}]
    for page in paginator.paginate(Filters=filters):
        for item in page["InstanceTypes"]:
            vcpus[item["InstanceType"]] = int(item["VCpuInfo"]["DefaultVCpus"])
    return vcpus


@dataclass
class QuotaNeed:
    """The vCPUs the pools drawing on one quota need at their maximum size."""

    code: str
    group: str
    spot: bool
    vcpus: int = 0
    parts: list[str] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)


def quota_needs(pools: dict[str, NodePoolConfig], vcpus: dict[str, int]) -> dict[str, QuotaNeed]:
    """Quota code -> need; a pool counts with its largest type (any of its types may be launched)."""
    needs: dict[str, QuotaNeed] = {}
    for name, pool in pools.items():
        spot = pool.capacity_type == "SPOT"
        by_code: dict[str, list[str]] = {}
        for instance_type in pool.instance_types:
            by_code.setdefault(quota_code(instance_type, spot), []).append(instance_type)
        for code, types in by_code.items():
            largest = max(types, key=lambda t: vcpus.get(t, 0))
            per_node = vcpus.get(largest, 0)
            need = needs.setdefault(code, QuotaNeed(code, family_group(largest), spot))
            need.unknown.extend(t for t in types if t not in vcpus)
            need.vcpus += pool.max_size * per_node
            need.parts.append(f"{name}: {pool.max_size} x {largest} ({per_node} vCPUs)")
    return needs


def quota_value(quotas: Any, code: str) -> tuple[float, str]:
    """The account's applied quota, else the AWS default (an unchanged quota has no applied value)."""
    try:
        quota = quotas.get_service_quota(ServiceCode=SERVICE_CODE, QuotaCode=code)["Quota"]
        return float(quota["Value"]), "applied"
    except ClientError as error:
        if error_code(error) != "NoSuchResourceException":
            raise
    quota = quotas.get_aws_default_service_quota(ServiceCode=SERVICE_CODE, QuotaCode=code)["Quota"]
    return float(quota["Value"]), "AWS default"


def quota_checks(quotas: Any, needs: dict[str, QuotaNeed]) -> list[Check]:
    """One row per quota: pass when it covers the need, fail when not, warn when it cannot be read."""
    checks = []
    for code, need in sorted(needs.items()):
        market = "Spot" if need.spot else "On-Demand"
        subject = f"{need.group} {market} vCPUs ({code})"
        figures: dict[str, Any] = {"quotaCode": code, "neededVcpus": need.vcpus, "pools": need.parts}
        try:
            value, source = quota_value(quotas, code)
        except ClientError as error:
            checks.append(
                Check("quota", subject, Status.WARN, f"not read: {describe_aws_error(error)}", figures)
            )
            continue
        figures.update(quotaVcpus=value, source=source)
        summary = f"quota {value:g} ({source}), needed {need.vcpus} at max size: {'; '.join(need.parts)}"
        if need.unknown:
            checks.append(Check(
                "quota", subject, Status.WARN,
                f"{summary}; vCPUs unknown for {', '.join(need.unknown)} (not in this region)", figures,
            ))  # fmt: skip
        elif value < need.vcpus:
            checks.append(
                Check(
                    "quota",
                    subject,
                    Status.FAIL,
                    f"{summary}; request an increase of {code} in Service Quotas",
                    figures,
                )
            )
        else:
            checks.append(Check("quota", subject, Status.PASS, summary, figures))
    return checks
