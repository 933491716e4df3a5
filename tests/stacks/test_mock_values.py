"""Mock outputs are derived from logical names: stable and distinct."""

from __future__ import annotations

from stacks.mock_values import MOCK_ACCOUNT, aws_arn, ec2_id, mock_region, named, planned_region, stable_hex


def test_values_are_stable_and_distinct_per_name() -> None:
    assert stable_hex("a") == stable_hex("a") != stable_hex("b")
    assert ec2_id("vpc")("net", {})["id"] == f"vpc-{stable_hex('net')}"
    assert aws_arn("kms", "key/x") == f"arn:aws:kms:us-west-2:{MOCK_ACCOUNT}:key/x"


def test_an_explicit_physical_name_wins_over_the_autoname() -> None:
    assert named({"name": "kfstack-dev"}, "name", "eks") == "kfstack-dev"
    assert named({}, "name", "eks").startswith("eks-")


def test_arns_are_in_the_planned_region_only_while_it_is_planned() -> None:
    with planned_region("us-east-1"):
        assert mock_region() == "us-east-1"
        assert aws_arn("kms", "key/x") == f"arn:aws:kms:us-east-1:{MOCK_ACCOUNT}:key/x"
        assert aws_arn("kms", "key/x", "eu-west-1").startswith("arn:aws:kms:eu-west-1:")
    assert mock_region() == "us-west-2"
