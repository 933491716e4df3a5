"""Preflight: the monthly cost of each node pool at its minimum and maximum size, from the AWS Price
List API (On-Demand, Linux, shared tenancy, no pre-installed software; 730 hours a month).

The Price List API has endpoints in a few regions only; kfstack asks the us-east-1 one, whatever the
environment's region, and filters by `regionCode`. Spot pools are priced On-Demand: an upper bound.
A pool with several types is priced from its cheapest type at minimum size and its dearest at maximum.
"""

from __future__ import annotations

import json
from typing import Any

from botocore.exceptions import ClientError

from kfstack.ops.aws_errors import describe_aws_error
from kfstack.ops.checks import Check, Status
from stacks.config.node_pools import NodePoolConfig

PRICING_REGION = "us-east-1"
HOURS_PER_MONTH = 730


def product_filters(instance_type: str, region: str) -> list[dict[str, str]]:
    """The Price List filters that leave the one On-Demand Linux product of `instance_type` in `region`."""
    wanted = {
        "instanceType": instance_type,
        "regionCode": region,
        "operatingSystem": "Linux",
        "tenancy": "Shared",
        "preInstalledSw": "NA",
        "capacitystatus": "Used",
        "licenseModel": "No License required",
    }
    return [{"Type": "TERM_MATCH", "Field": key, "Value": value} for key, value in wanted.items()]


def hourly_price(pricing: Any, instance_type: str, region: str) -> float | None:
    """USD per hour On-Demand (the highest if several products match), or None when none is listed."""
    prices: list[float] = []
    paginator = pricing.get_paginator("get_products")
    for page in paginator.paginate(
        ServiceCode="AmazonEC2", Filters=product_filters(instance_type, region), FormatVersion="aws_v1"
    ):
        for item in page["PriceList"]:
            product = json.loads(item) if isinstance(item, str) else item
            prices.extend(_on_demand_hourly(product))
    return max(prices) if prices else None


def _on_demand_hourly(product: dict[str, Any]) -> list[float]:
    found = []
    for term in product.get("terms", {}).get("OnDemand", {}).values():
        for dimension in term.get("priceDimensions", {}).values():
            usd = dimension.get("pricePerUnit", {}).get("USD")
            if usd is not None and dimension.get("unit", "Hrs") == "Hrs" and float(usd) > 0:
                found.append(float(usd))
    return found


def cost_checks(pricing: Any, pools: dict[str, NodePoolConfig], region: str) -> list[Check]:
    """One row per pool (monthly USD at min and max size) and a total; warn when a price is missing."""
    prices: dict[str, float | None] = {}
    checks = []
    total_min = total_max = 0.0
    complete = True
    for name, pool in pools.items():
        try:
            for instance_type in pool.instance_types:
                if instance_type not in prices:
                    prices[instance_type] = hourly_price(pricing, instance_type, region)
        except ClientError as error:
            checks.append(Check("cost", name, Status.WARN, f"not priced: {describe_aws_error(error)}"))
            complete = False
            continue
        known = {t: p for t in pool.instance_types if (p := prices[t]) is not None}
        missing = [t for t in pool.instance_types if prices[t] is None]
        if not known:
            checks.append(
                Check("cost", name, Status.WARN, f"no On-Demand price listed for {', '.join(missing)}")
            )
            complete = False
            continue
        cheapest, dearest = min(known, key=known.__getitem__), max(known, key=known.__getitem__)
        monthly_min = pool.min_size * known[cheapest] * HOURS_PER_MONTH
        monthly_max = pool.max_size * known[dearest] * HOURS_PER_MONTH
        total_min += monthly_min
        total_max += monthly_max
        detail = (
            f"${monthly_min:,.2f}/month at min {pool.min_size} x {cheapest} (${known[cheapest]:.4f}/h), "
            f"${monthly_max:,.2f}/month at max {pool.max_size} x {dearest} (${known[dearest]:.4f}/h)"
        )
        if pool.capacity_type == "SPOT":
            detail += "; Spot pool priced On-Demand (upper bound)"
        status = Status.PASS
        if missing:
            status, complete = Status.WARN, False
            detail += f"; no price listed for {', '.join(missing)}"
        figures = {
            "pool": name,
            "hourlyUsd": known,
            "monthlyUsdMin": round(monthly_min, 2),
            "monthlyUsdMax": round(monthly_max, 2),
            "hoursPerMonth": HOURS_PER_MONTH,
        }
        checks.append(Check("cost", name, status, detail, figures))
    if pools:
        detail = f"${total_min:,.2f} to ${total_max:,.2f} per month for the node pools"
        if not complete:
            detail += " (pools without a price left out)"
        checks.append(Check(
            "cost", "all node pools", Status.PASS if complete else Status.WARN, detail,
            {"monthlyUsdMin": round(total_min, 2), "monthlyUsdMax": round(total_max, 2)},
        ))  # fmt: skip
    return checks
