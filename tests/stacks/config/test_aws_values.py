"""AWS's rules for regions, availability zones and instance types, valid and invalid side by side;
and that validate reports each at its key path."""

import copy

import pytest

from stacks.config.aws_values import (
    ec2_instance_types,
    eks_regions,
    instance_type_problem,
    region_problem,
    zone_problem,
)
from stacks.config.errors import ConfigError
from stacks.config.loader import ENVIRONMENTS_DIR, parse_environment, read_stack_file


@pytest.mark.parametrize(
    ("valid", "invalid"),
    [("us-east-1", "us-east-7"), ("eu-central-2", "eu-centrl-1"), ("ap-southeast-5", "US-EAST-1"),
     ("us-gov-west-1", "mars-north-1")],
)
def test_regions_are_those_botocore_knows_eks_in(valid: str, invalid: str) -> None:
    assert region_problem(valid) is None
    assert "not an AWS region where EKS is offered" in (region_problem(invalid) or "")


def test_a_near_miss_region_gets_a_suggestion() -> None:
    assert "did you mean 'eu-central-1'?" in (region_problem("eu-centrl-1") or "")
    assert "us-west-2" in eks_regions() and "cn-north-1" in eks_regions()


@pytest.mark.parametrize(
    ("valid", "invalid"),
    [("us-west-2a", "us-west-2"), ("us-west-2d", "us-west-2aa"), ("us-west-2-lax-1a", "us-west-21a"),
     ("us-west-2b", "us-east-1a"), ("us-west-2c", "usw2-az1")],
)
def test_zones_are_the_region_and_a_letter_or_a_local_zone(valid: str, invalid: str) -> None:
    assert zone_problem(valid, "us-west-2") is None
    assert "not an availability zone of region us-west-2" in (zone_problem(invalid, "us-west-2") or "")


@pytest.mark.parametrize(
    ("valid", "invalid", "says"),
    [("g5.xlarge", "g5.xlarg", "did you mean 'g5.xlarge'?"), ("p4d.24xlarge", "P4d.24xlarge", "lower case"),
     ("m7i-flex.large", "m7i", "<family>.<size>"), ("g6e.12xlarge", "g9.xlarge", "EC2 API lists")],
)
def test_instance_types_are_those_of_the_ec2_api_model(valid: str, invalid: str, says: str) -> None:
    assert valid in ec2_instance_types()
    assert instance_type_problem(valid) is None
    assert says in (instance_type_problem(invalid) or "")


def _problems(mutate) -> dict[str, str]:
    values = copy.deepcopy(read_stack_file(ENVIRONMENTS_DIR / "Pulumi.prod.yaml").values)
    mutate(values)
    try:
        parse_environment(values)
    except ConfigError as error:
        return {p.path: p.message for p in error.problems}
    return {}


def test_validate_names_the_bad_region_zone_and_instance_type() -> None:
    def bad_zone_and_type(values: dict) -> None:
        values["cluster"]["eks"]["availabilityZones"][1] += "x"
        values["nodePools"]["system"]["instanceTypes"][0] = "m6i.xlarg"

    found = _problems(bad_zone_and_type)
    assert set(found) == {"kfstack:cluster.eks.availabilityZones[1]", "kfstack:nodePools.system.instanceTypes[0]"}
    assert "did you mean 'm6i.xlarge'?" in found["kfstack:nodePools.system.instanceTypes[0]"]

    def bad_region(values: dict) -> None:
        values["cluster"]["eks"]["region"] = "us-east-7"

    found = _problems(bad_region)
    assert "kfstack:cluster.eks.region" in found
    # the zones are not judged against a region that does not exist
    assert not any(path.startswith("kfstack:cluster.eks.availabilityZones") for path in found)


def test_the_state_backend_region_is_an_s3_region() -> None:
    assert region_problem("eu-west-1", "s3") is None
    assert "not an AWS region where S3 is offered" in (region_problem("eu-west-9", "s3") or "")
