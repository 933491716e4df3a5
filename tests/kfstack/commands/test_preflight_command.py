"""`kfstack preflight ENV`: moto's EC2 with stubbed Service Quotas and Price List clients; the table,
--json, exit 1 on a failed check (insufficient quota, a GPU type not offered in a zone), no-credentials
and nothing-to-check messages, exit 2 on bad input."""

import json
from pathlib import Path

import boto3
import pytest
from botocore.stub import Stubber
from click.testing import CliRunner

from kfstack.commands import preflight as preflight_module
from kfstack.commands.preflight import preflight_command
from kfstack.ops.preflight import AwsClients
from stacks.config.loader import ENVIRONMENTS_DIR
from tests.kfstack.ops.aws_stubs import HOURLY_USD, client, stub_prices, stub_quota

DEV_PRICES = {t: HOURLY_USD[t] for t in ("m6i.xlarge", "g5.xlarge", "g5.2xlarge")}


def run(*args: str):
    return CliRunner().invoke(preflight_command, list(args))


@pytest.fixture
def aws(fake_aws, monkeypatch):
    """moto EC2 in the environment's region; Stubbers for quotas and pricing, checked to be used up."""
    quotas, pricing = client("service-quotas", "us-west-2"), client("pricing", "us-east-1")
    monkeypatch.setattr(
        preflight_module,
        "_clients",
        lambda region: AwsClients(boto3.client("ec2", region_name=region), quotas, pricing),
    )
    with Stubber(quotas) as quota_stub, Stubber(pricing) as price_stub:
        yield quota_stub, price_stub
        quota_stub.assert_no_pending_responses()
        price_stub.assert_no_pending_responses()


def test_dev_passes_with_enough_quota_and_prints_the_figures(aws) -> None:
    quota_stub, price_stub = aws
    stub_quota(quota_stub, "L-1216C47A", 640.0)  # Standard On-Demand: system 4 x m6i.xlarge = 16
    stub_quota(quota_stub, "L-3819A6DF", 64.0)  # G Spot: gpu-a10g 2 x g5.2xlarge = 16
    stub_prices(price_stub, "us-west-2", DEV_PRICES)
    console = preflight_module.console
    width = console.width
    console.width = 400  # one line per row: the figures are read back whole
    try:
        result = run("dev")
    finally:
        console.width = width
    assert result.exit_code == 0, result.output
    text = " ".join(result.output.split())
    assert "pass: " in text and "0 failed" in text
    assert "quota 64 (applied), needed 16 at max size" in text
    assert "$280.32/month at min 2 x m6i.xlarge" in text
    assert "$280.32 to $2,330.16 per month for the node pools" in text


def test_insufficient_gpu_quota_fails_with_exit_1(aws) -> None:
    quota_stub, price_stub = aws
    stub_quota(quota_stub, "L-1216C47A", 640.0)
    stub_quota(quota_stub, "L-3819A6DF", None, default=0.0)
    stub_prices(price_stub, "us-west-2", DEV_PRICES)
    result = run("dev", "--json")
    assert result.exit_code == 1, result.output
    document = json.loads(result.output)
    assert document["status"] == "fail"
    (quota,) = [c for c in document["checks"] if c["figures"].get("quotaCode") == "L-3819A6DF"]
    assert quota["status"] == "fail"
    assert quota["figures"]["quotaVcpus"] == 0.0 and quota["figures"]["neededVcpus"] == 16
    (cost,) = [c for c in document["checks"] if c["category"] == "cost" and c["subject"] == "gpu-a10g"]
    assert cost["figures"]["hourlyUsd"] == {"g5.xlarge": 1.006, "g5.2xlarge": 1.212}
    assert cost["figures"]["monthlyUsdMax"] == 1769.52


def test_a_gpu_type_not_offered_in_a_chosen_zone_fails(aws, tmp_path: Path) -> None:
    quota_stub, price_stub = aws
    text = (ENVIRONMENTS_DIR / "Pulumi.dev.yaml").read_text().replace("- us-west-2b", "- us-west-2d")
    stack_file = tmp_path / "Pulumi.dev.yaml"
    stack_file.write_text(text)
    stub_quota(quota_stub, "L-1216C47A", 640.0)
    stub_quota(quota_stub, "L-3819A6DF", 64.0)
    stub_prices(price_stub, "us-west-2", DEV_PRICES)
    result = run(str(stack_file), "--json")
    assert result.exit_code == 1, result.output
    rows = {(c["category"], c["subject"]): c for c in json.loads(result.output)["checks"]}
    assert rows[("offering", "gpu-a10g: g5.xlarge")]["figures"]["notOfferedIn"] == ["us-west-2d"]
    assert rows[("offering", "gpu-a10g")]["status"] == "fail"
    assert rows[("offering", "system: m6i.xlarge")]["status"] == "pass"


def test_no_credentials_is_a_message_not_a_traceback(no_aws_credentials) -> None:
    result = run("prod")
    assert result.exit_code == 1
    assert "no AWS credentials found" in result.output
    assert "Traceback" not in result.output


def test_an_existing_cluster_has_nothing_to_check() -> None:
    result = run("local")
    assert result.exit_code == 0
    assert "nothing to check" in result.output
    skipped = run("local", "--json")
    assert json.loads(skipped.output)["status"] == "skipped"


def test_bad_input_exits_2(tmp_path: Path) -> None:
    stack_file = tmp_path / "Pulumi.dev.yaml"
    stack_file.write_text((ENVIRONMENTS_DIR / "Pulumi.dev.yaml").read_text().replace("maxSize: 2", "maxSize: -1"))
    result = run(str(stack_file))
    assert result.exit_code == 2
    assert "kfstack:nodePools.gpu-a10g.maxSize" in result.output
