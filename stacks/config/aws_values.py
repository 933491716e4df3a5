"""AWS's own rules for values the stack passes to AWS APIs, checked at validate time.

The lists come from botocore (pinned in requirements.lock), the data the AWS SDKs themselves ship:
the regions of each partition where EKS is offered (its endpoint data) and EC2's `InstanceType`
enum (its service model), so a value passes here when the AWS API of that botocore release would
take it.
"""

from __future__ import annotations

import difflib
import re
from functools import cache

# An AZ name is its region and a letter (us-west-2a); a Local Zone's adds a location and a number
# (us-west-2-lax-1a). Wavelength zones (us-east-1-wl1-bos-wlz-1) are not usable for EKS node groups.
_ZONE_SUFFIX = re.compile(r"^(?:[a-z]|-[a-z]+-\d+[a-z])$")
_INSTANCE_TYPE_SHAPE = re.compile(r"^[a-z][a-z0-9-]*\.[a-z0-9-]+$")


@cache
def service_regions(service: str) -> frozenset[str]:
    """Every region of every AWS partition where botocore knows an endpoint of `service`."""
    import botocore.session

    session = botocore.session.get_session()
    return frozenset(
        region
        for partition in session.get_available_partitions()
        for region in session.get_available_regions(service, partition)
    )


def eks_regions() -> frozenset[str]:
    """The regions where EKS is offered."""
    return service_regions("eks")


@cache
def ec2_instance_types() -> frozenset[str]:
    """The instance types of EC2's API model (`InstanceType` enum) in the installed botocore."""
    import botocore.session

    model = botocore.session.get_session().get_service_model("ec2")
    return frozenset(model.shape_for("InstanceType").enum)


def _close(value: str, known: frozenset[str]) -> str:
    match = difflib.get_close_matches(value, sorted(known), n=1, cutoff=0.75)
    return f"; did you mean '{match[0]}'?" if match else ""


def region_problem(region: str, service: str = "eks") -> str | None:
    """Why `region` is not an AWS region where `service` (EKS, S3 ...) is offered, or None."""
    known = service_regions(service)
    if region in known:
        return None
    what = {"eks": "EKS", "s3": "S3"}.get(service, service)
    return f"not an AWS region where {what} is offered{_close(region, known)}"


def zone_problem(zone: str, region: str) -> str | None:
    """Why `zone` is not an availability zone (or Local Zone) name of `region`, or None."""
    if zone.startswith(region) and _ZONE_SUFFIX.match(zone[len(region):]):
        return None
    return f"not an availability zone of region {region} (its zones are {region}a, {region}b, ...)"


def instance_type_problem(instance_type: str) -> str | None:
    """Why `instance_type` is not an EC2 instance type, or None."""
    if instance_type in ec2_instance_types():
        return None
    if not _INSTANCE_TYPE_SHAPE.match(instance_type):
        return "not an EC2 instance type: <family>.<size> in lower case, e.g. g5.xlarge"
    close = _close(instance_type, ec2_instance_types())
    return f"not an EC2 instance type the EC2 API lists (botocore's model){close}"
