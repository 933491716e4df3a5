"""kfstack/ops/quotas.py: family groups and quota codes, vCPUs from moto's EC2, quota values through a
stubbed Service Quotas client: enough, insufficient, default-only and unreadable quotas."""

import boto3
import pytest
from botocore.stub import Stubber

from kfstack.ops.checks import Status
from kfstack.ops.quotas import family_group, quota_checks, quota_code, quota_needs, vcpus_per_type
from stacks.config.node_pools import NodePoolConfig
from tests.kfstack.ops.aws_stubs import client, stub_quota


@pytest.mark.parametrize(
    ("instance_type", "group", "on_demand", "spot"),
    [
        ("g5.xlarge", "G and VT", "L-DB2E81BA", "L-3819A6DF"),
        ("gr6.4xlarge", "G and VT", "L-DB2E81BA", "L-3819A6DF"),
        ("g5g.xlarge", "G and VT", "L-DB2E81BA", "L-3819A6DF"),
        ("p5.48xlarge", "P", "L-417A185B", "L-7212CCBC"),
        ("p4d.24xlarge", "P", "L-417A185B", "L-7212CCBC"),
        ("m6i.xlarge", "Standard", "L-1216C47A", "L-34B43A08"),
        ("inf2.xlarge", "Inf", "L-1945791B", "L-B5D1601B"),
    ],
)
def test_quota_codes(instance_type: str, group: str, on_demand: str, spot: str) -> None:
    assert family_group(instance_type) == group
    assert quota_code(instance_type, spot=False) == on_demand
    assert quota_code(instance_type, spot=True) == spot


def pools() -> dict[str, NodePoolConfig]:
    return {
        "system": NodePoolConfig(instance_types=["m6i.xlarge"], min_size=2, desired_size=2, max_size=4),
        "gpu-a10g": NodePoolConfig(instance_types=["g5.xlarge", "g5.2xlarge"], max_size=2, gpu=True),
        "gpu-spot": NodePoolConfig(instance_types=["g5.xlarge"], max_size=3, gpu=True, capacity_type="SPOT"),
        "gpu-more": NodePoolConfig(instance_types=["g5.2xlarge"], max_size=1, gpu=True),
    }


def test_vcpus_come_from_ec2(fake_aws) -> None:
    ec2 = boto3.client("ec2", region_name="us-west-2")
    assert vcpus_per_type(ec2, ["g5.xlarge", "g5.2xlarge", "m6i.xlarge"]) == {
        "g5.xlarge": 4, "g5.2xlarge": 8, "m6i.xlarge": 4,
    }  # fmt: skip


def test_needs_add_up_per_quota_with_each_pools_largest_type() -> None:
    needs = quota_needs(pools(), {"m6i.xlarge": 4, "g5.xlarge": 4, "g5.2xlarge": 8})
    assert {code: need.vcpus for code, need in needs.items()} == {
        "L-1216C47A": 16,  # 4 x 4
        "L-DB2E81BA": 24,  # gpu-a10g 2 x 8 + gpu-more 1 x 8
        "L-3819A6DF": 12,  # spot: 3 x 4
    }


@pytest.fixture
def quotas():
    quotas = client("service-quotas", "us-west-2")
    with Stubber(quotas) as stub:
        yield quotas, stub
        stub.assert_no_pending_responses()


def test_insufficient_quota_fails_with_the_figures(quotas) -> None:
    client_, stub = quotas
    needs = quota_needs(pools(), {"m6i.xlarge": 4, "g5.xlarge": 4, "g5.2xlarge": 8})
    stub_quota(stub, "L-1216C47A", 640.0)
    stub_quota(stub, "L-3819A6DF", None, default=0.0)  # never raised: the AWS default of a new account
    stub_quota(stub, "L-DB2E81BA", 16.0)
    rows = {row.figures["quotaCode"]: row for row in quota_checks(client_, needs)}
    assert rows["L-1216C47A"].status is Status.PASS
    on_demand_gpu = rows["L-DB2E81BA"]
    assert on_demand_gpu.status is Status.FAIL
    assert on_demand_gpu.figures["quotaVcpus"] == 16.0 and on_demand_gpu.figures["neededVcpus"] == 24
    assert on_demand_gpu.detail.startswith("quota 16 (applied), needed 24 at max size: gpu-a10g: 2 x g5.2xlarge")
    assert "request an increase of L-DB2E81BA" in on_demand_gpu.detail
    assert on_demand_gpu.subject == "G and VT On-Demand vCPUs (L-DB2E81BA)"
    spot = rows["L-3819A6DF"]
    assert spot.status is Status.FAIL and spot.figures["source"] == "AWS default"


def test_unreadable_quota_warns(quotas) -> None:
    client_, stub = quotas
    stub.add_client_error("get_service_quota", "AccessDeniedException", "servicequotas:GetServiceQuota", 400)
    needs = quota_needs({"system": pools()["system"]}, {"m6i.xlarge": 4})
    (row,) = quota_checks(client_, needs)
    assert row.status is Status.WARN and "AccessDeniedException" in row.detail


def test_unknown_vcpus_warn(quotas) -> None:
    client_, stub = quotas
    needs = quota_needs({"gpu": pools()["gpu-more"]}, {})
    stub_quota(stub, "L-DB2E81BA", 64.0)
    (row,) = quota_checks(client_, needs)
    assert row.status is Status.WARN and "vCPUs unknown for g5.2xlarge" in row.detail
