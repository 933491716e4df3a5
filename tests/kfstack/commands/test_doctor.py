"""`kfstack doctor ENV` through click: the table, the verdict and the exit code."""

from __future__ import annotations

from pathlib import Path

import boto3
import pytest
from botocore.stub import Stubber
from click.testing import CliRunner

from kfstack.cli import main
from kfstack.engine.interface import EngineMissingError
from tests.kfstack.engine.fake_engine import FakeEngine
from tests.kfstack.engine.test_doctor import IDENTITY, write_kubeconfig


def test_doctor_local_ready_with_the_named_context(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))  # local names ~/.kube/config
    write_kubeconfig(tmp_path / ".kube" / "config", ["kind-kfstack"])
    result = CliRunner().invoke(main, ["doctor", "local"], obj={"engine_factory": FakeEngine})
    assert result.exit_code == 0, result.output
    assert "kubeconfig context" in result.output and "✓ local: ready" in result.output


def test_doctor_prod_fails_without_cli_and_with_expired_credentials() -> None:
    client = boto3.client("sts", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="y")
    stubber = Stubber(client)
    stubber.add_client_error("get_caller_identity", "ExpiredToken", "The security token has expired")
    stubber.activate()

    def missing() -> FakeEngine:
        raise EngineMissingError("no `pulumi` binary on PATH; install Pulumi CLI 3.272.0")

    result = CliRunner().invoke(
        main, ["doctor", "prod"], obj={"engine_factory": missing, "sts_client": lambda region: client}
    )
    assert result.exit_code == 1
    assert "3 check(s) failed: pulumi CLI, backend login, AWS credentials" in result.output
    assert "Traceback" not in result.output


def test_doctor_prod_passes_with_cli_login_and_credentials() -> None:
    client = boto3.client("sts", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="y")
    stubber = Stubber(client)
    stubber.add_response("get_caller_identity", IDENTITY, {})
    stubber.activate()
    result = CliRunner().invoke(
        main, ["doctor", "prod"], obj={"engine_factory": FakeEngine, "sts_client": lambda region: client}
    )
    assert result.exit_code == 0, result.output
    assert "✓ prod: ready" in result.output


def test_doctor_unknown_environment_exits_2() -> None:
    result = CliRunner().invoke(main, ["doctor", "nowhere"], obj={"engine_factory": FakeEngine})
    assert result.exit_code == 2
    assert "unknown environment 'nowhere'" in result.output
