"""Preflight: the region exists and is enabled for the account, and each chosen AZ exists and is up."""

from __future__ import annotations

from typing import Any

from botocore.exceptions import EndpointConnectionError

from kfstack.ops.checks import Check, Status

_ENABLED = ("opt-in-not-required", "opted-in")
# AvailabilityZone.State: available | information | impaired | unavailable | constrained
_ZONE_STATUS = {"available": Status.PASS, "information": Status.PASS, "constrained": Status.WARN}


def region_check(ec2: Any, region: str) -> Check:
    """EC2 DescribeRegions (all regions, with the account's opt-in status)."""
    try:
        regions = ec2.describe_regions(AllRegions=True)["Regions"]
    except EndpointConnectionError:
        return Check("region", region, Status.FAIL, f"no EC2 endpoint for {region}: not an AWS region")
    found = next((r for r in regions if r["RegionName"] == region), None)
    if found is None:
        return Check("region", region, Status.FAIL, "not an AWS region of this partition")
    opt_in = found.get("OptInStatus", "opt-in-not-required")
    if opt_in not in _ENABLED:
        return Check(
            "region",
            region,
            Status.FAIL,
            f"not enabled for this account ({opt_in}): enable it first",
            {"optInStatus": opt_in},
        )
    return Check("region", region, Status.PASS, "exists and is enabled", {"optInStatus": opt_in})


def zone_checks(ec2: Any, region: str, zones: list[str]) -> list[Check]:
    """EC2 DescribeAvailabilityZones: each chosen zone by name and state."""
    known = {
        z["ZoneName"]: z
        for z in ec2.describe_availability_zones(AllAvailabilityZones=True)["AvailabilityZones"]
    }
    checks = []
    for zone in zones:
        found = known.get(zone)
        if found is None:
            names = ", ".join(sorted(known)) or "none"
            checks.append(Check("zone", zone, Status.FAIL, f"no such zone in {region} (zones: {names})"))
            continue
        state = found.get("State", "available")
        opt_in = found.get("OptInStatus", "opt-in-not-required")
        status = _ZONE_STATUS.get(state, Status.FAIL)
        if opt_in not in _ENABLED:
            status = Status.FAIL
        detail = f"state {state}" + ("" if opt_in in _ENABLED else f", {opt_in}")
        checks.append(Check("zone", zone, status, detail, {"state": state, "optInStatus": opt_in}))
    return checks
