"""kfstack/ops/pricing.py: hourly prices from Price List responses, monthly pool cost at min and max size."""

import pytest
from botocore.stub import Stubber

from kfstack.ops.checks import Status
from kfstack.ops.pricing import HOURS_PER_MONTH, cost_checks, hourly_price, product_filters
from stacks.config.node_pools import NodePoolConfig
from tests.kfstack.ops.aws_stubs import HOURLY_USD, client, stub_prices


@pytest.fixture
def pricing():
    pricing = client("pricing", "us-east-1")
    with Stubber(pricing) as stub:
        yield pricing, stub
        stub.assert_no_pending_responses()


def test_filters_name_the_on_demand_linux_product() -> None:
    fields = {f["Field"]: f["Value"] for f in product_filters("g5.xlarge", "us-west-2")}
    assert fields == {
        "instanceType": "g5.xlarge", "regionCode": "us-west-2", "operatingSystem": "Linux", "tenancy": "Shared",
        "preInstalledSw": "NA", "capacitystatus": "Used", "licenseModel": "No License required",
    }  # fmt: skip


def test_hourly_price_of_a_listed_product(pricing) -> None:
    client_, stub = pricing
    stub_prices(stub, "us-west-2", {"g5.xlarge": HOURLY_USD["g5.xlarge"]})
    assert hourly_price(client_, "g5.xlarge", "us-west-2") == 1.006


def test_monthly_cost_of_each_pool_at_min_and_max_and_the_total(pricing) -> None:
    client_, stub = pricing
    pools = {
        "system": NodePoolConfig(instance_types=["m6i.xlarge"], min_size=2, desired_size=2, max_size=4),
        "gpu": NodePoolConfig(instance_types=["g5.xlarge", "g5.2xlarge"], min_size=0, max_size=2, gpu=True,
                              capacity_type="SPOT"),
    }  # fmt: skip
    stub_prices(stub, "us-west-2", {t: HOURLY_USD[t] for t in ("m6i.xlarge", "g5.xlarge", "g5.2xlarge")})
    system, gpu, total = cost_checks(client_, pools, "us-west-2")
    assert HOURS_PER_MONTH == 730
    assert system.status is Status.PASS
    assert (system.figures["monthlyUsdMin"], system.figures["monthlyUsdMax"]) == (280.32, 560.64)  # 2 and 4 x 0.192 x 730
    assert "$280.32/month at min 2 x m6i.xlarge ($0.1920/h)" in system.detail
    assert (gpu.figures["monthlyUsdMin"], gpu.figures["monthlyUsdMax"]) == (0.0, 1769.52)  # 2 x 1.212 x 730
    assert "Spot pool priced On-Demand (upper bound)" in gpu.detail
    assert total.subject == "all node pools"
    assert (total.figures["monthlyUsdMin"], total.figures["monthlyUsdMax"]) == (280.32, 2330.16)


def test_a_type_without_a_listed_price_warns(pricing) -> None:
    client_, stub = pricing
    pools = {"system": NodePoolConfig(instance_types=["m6i.xlarge"], min_size=1, desired_size=1, max_size=2)}
    stub_prices(stub, "us-west-2", {"m6i.xlarge": None})
    row, total = cost_checks(client_, pools, "us-west-2")
    assert row.status is Status.WARN and "no On-Demand price listed for m6i.xlarge" in row.detail
    assert total.status is Status.WARN


def test_access_denied_warns_instead_of_failing(pricing) -> None:
    client_, stub = pricing
    stub.add_client_error("get_products", "AccessDeniedException", "not allowed: pricing:GetProducts", 400)
    pools = {"system": NodePoolConfig(instance_types=["m6i.xlarge"], min_size=1, desired_size=1, max_size=2)}
    row, _ = cost_checks(client_, pools, "us-west-2")
    assert row.status is Status.WARN
    assert "AccessDeniedException" in row.detail
