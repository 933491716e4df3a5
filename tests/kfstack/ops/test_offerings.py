"""kfstack/ops/offerings.py against moto's EC2 offerings (a snapshot of the real ones): g5.xlarge is not
offered in us-west-2d."""

import boto3

from kfstack.ops.checks import Status
from kfstack.ops.offerings import offered_zones, offering_checks
from stacks.config.node_pools import NodePoolConfig

ZONES = ["us-west-2a", "us-west-2d"]


def test_offered_zones(fake_aws) -> None:
    ec2 = boto3.client("ec2", region_name="us-west-2")
    offered = offered_zones(ec2, ["g5.xlarge", "m6i.xlarge"], ZONES)
    assert offered == {"g5.xlarge": {"us-west-2a"}, "m6i.xlarge": {"us-west-2a", "us-west-2d"}}


def test_a_gpu_type_missing_in_a_zone_fails_the_pool_that_has_no_other_type_there(fake_aws) -> None:
    ec2 = boto3.client("ec2", region_name="us-west-2")
    pools = {"gpu": NodePoolConfig(instance_types=["g5.xlarge"], max_size=2, gpu=True)}
    offered = offered_zones(ec2, ["g5.xlarge"], ZONES)
    type_row, pool_row = offering_checks(pools, ZONES, offered)
    assert (type_row.subject, type_row.status) == ("gpu: g5.xlarge", Status.WARN)
    assert type_row.detail == "not offered in us-west-2d; offered in us-west-2a"
    assert type_row.figures["notOfferedIn"] == ["us-west-2d"]
    assert pool_row.status is Status.FAIL
    assert "none of g5.xlarge is offered in us-west-2d" in pool_row.detail


def test_another_type_covering_the_zone_leaves_a_warning_only(fake_aws) -> None:
    ec2 = boto3.client("ec2", region_name="us-west-2")
    pools = {"gpu": NodePoolConfig(instance_types=["g5.xlarge", "g6e.xlarge"], max_size=2, gpu=True)}
    rows = offering_checks(pools, ZONES, offered_zones(ec2, ["g5.xlarge", "g6e.xlarge"], ZONES))
    assert [(r.subject, r.status) for r in rows] == [("gpu: g5.xlarge", Status.WARN), ("gpu: g6e.xlarge", Status.PASS)]


def test_a_type_offered_in_no_chosen_zone_fails() -> None:
    pools = {"gpu": NodePoolConfig(instance_types=["p5.48xlarge"], max_size=1, gpu=True)}
    rows = offering_checks(pools, ZONES, {"p5.48xlarge": set()})
    assert [r.status for r in rows] == [Status.FAIL, Status.FAIL]
    assert rows[0].detail == "offered in none of the chosen zones"
