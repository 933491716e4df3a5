"""kfstack/ops/zones.py: region and zones from moto's EC2; an unreachable region endpoint."""

import boto3
from botocore.exceptions import EndpointConnectionError

from kfstack.ops.checks import Status
from kfstack.ops.zones import region_check, zone_checks


def test_region_and_zones(fake_aws) -> None:
    ec2 = boto3.client("ec2", region_name="us-west-2")
    assert region_check(ec2, "us-west-2").status is Status.PASS
    rows = zone_checks(ec2, "us-west-2", ["us-west-2a", "us-west-2z"])
    assert [(r.subject, r.status) for r in rows] == [("us-west-2a", Status.PASS), ("us-west-2z", Status.FAIL)]
    assert rows[1].detail == "no such zone in us-west-2 (zones: us-west-2a, us-west-2b, us-west-2c, us-west-2d)"


def test_a_region_the_partition_does_not_list_fails(fake_aws) -> None:
    ec2 = boto3.client("ec2", region_name="us-west-2")
    assert region_check(ec2, "us-west-9").status is Status.FAIL


class _NoEndpoint:
    """An EC2 client of a region name AWS has no endpoint for (moto cannot model that)."""

    def describe_regions(self, **_kwargs):
        raise EndpointConnectionError(endpoint_url="https://ec2.xx-fake-1.amazonaws.com/")


def test_a_region_without_an_endpoint_fails() -> None:
    row = region_check(_NoEndpoint(), "xx-fake-1")
    assert row.status is Status.FAIL
    assert row.detail == "no EC2 endpoint for xx-fake-1: not an AWS region"
