"""Mock outputs are derived from logical names: stable and distinct."""

from __future__ import annotations

from stacks.mock_values import MOCK_ACCOUNT, aws_arn, ec2_id, named, stable_hex


def test_values_are_stable_and_distinct_per_name() -> None:
    assert stable_hex("a") == stable_hex("a") != stable_hex("b")
    assert ec2_id("vpc")("net", {})["id"] == f"vpc-{stable_hex('net')}"
    assert aws_arn("kms", "key/x") == f"arn:aws:kms:us-west-2:{MOCK_ACCOUNT}:key/x"


def test_an_explicit_physical_name_wins_over_the_autoname() -> None:
    assert named({"name": "kfstack-dev"}, "name", "eks") == "kfstack-dev"
    assert named({}, "name", "eks").startswith("eks-")
