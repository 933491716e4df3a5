"""kfstack/ops/preflight.py: the order of the checks, and the early stop when the region fails."""

import boto3
from botocore.stub import Stubber

from kfstack.ops.checks import Status, worst
from kfstack.ops.preflight import AwsClients, nothing_to_check, preflight_checks
from stacks.config.loader import load_environment
from tests.kfstack.ops.aws_stubs import HOURLY_USD, client, stub_prices, stub_quota


def test_prod_rows_in_order(fake_aws) -> None:
    _, config = load_environment("prod")
    quotas, pricing = client("service-quotas", "us-east-1"), client("pricing", "us-east-1")
    with Stubber(quotas) as quota_stub, Stubber(pricing) as price_stub:
        stub_quota(quota_stub, "L-1216C47A", 640.0)
        stub_quota(quota_stub, "L-DB2E81BA", 32.0)  # prod: 8 x g5.2xlarge On-Demand = 64 vCPUs
        stub_prices(price_stub, "us-east-1", {t: HOURLY_USD[t] for t in ("m6i.xlarge", "g5.xlarge", "g5.2xlarge")})
        checks = preflight_checks(config, AwsClients(boto3.client("ec2", region_name="us-east-1"), quotas, pricing))
    categories = [c.category for c in checks]
    assert categories == ["region"] + ["zone"] * 3 + ["offering"] * 3 + ["quota"] * 2 + ["cost"] * 3
    gpu_quota = next(c for c in checks if c.figures.get("quotaCode") == "L-DB2E81BA")
    assert (gpu_quota.status, gpu_quota.figures["neededVcpus"]) == (Status.FAIL, 64)
    assert worst(checks) is Status.FAIL


class _Ec2WithoutTheRegion:
    def describe_regions(self, **_kwargs):
        return {"Regions": [{"RegionName": "us-east-1", "OptInStatus": "opt-in-not-required"}]}


def test_a_failed_region_stops_the_other_checks() -> None:
    _, config = load_environment("staging")
    checks = preflight_checks(config, AwsClients(_Ec2WithoutTheRegion(), None, None))
    assert [(c.category, c.status) for c in checks] == [("region", Status.FAIL)]


def test_nothing_to_check_on_an_existing_cluster() -> None:
    _, local = load_environment("local")
    _, dev = load_environment("dev")
    assert "nothing to check" in (nothing_to_check(local) or "")
    assert nothing_to_check(dev) is None

