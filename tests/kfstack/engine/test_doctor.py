"""`kfstack doctor`'s checks: CLI version, login, AWS credentials (botocore Stubber), kubeconfig context."""

from __future__ import annotations

from pathlib import Path

import boto3
import pytest
import yaml
from botocore.stub import Stubber

from kfstack.engine.doctor import (
    aws_credentials_check,
    cli_check,
    kubeconfig_check,
    login_check,
    run_checks,
)
from kfstack.engine.interface import EngineMissingError
from stacks.config.environment import EnvironmentConfig
from stacks.config.loader import load_environment
from tests.kfstack.engine.fake_engine import FakeEngine

IDENTITY = {
    "UserId": "AIDAEXAMPLE",
    "Account": "123456789012",
    "Arn": "arn:aws:iam::123456789012:user/platform",
}


def write_kubeconfig(path: Path, contexts: list[str]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        yaml.safe_dump(
            {
                "apiVersion": "v1",
                "kind": "Config",
                "clusters": [{"name": "c", "cluster": {"server": "https://127.0.0.1:6443"}}],
                "users": [{"name": "u", "user": {"token": "t"}}],
                "contexts": [{"name": n, "context": {"cluster": "c", "user": "u"}} for n in contexts],
                "current-context": contexts[0] if contexts else "",
            }
        ),
        encoding="utf-8",
    )
    return path


def local_config(kubeconfig: Path) -> EnvironmentConfig:
    _, config = load_environment("local")
    assert config.cluster.existing is not None
    existing = config.cluster.existing.model_copy(update={"kubeconfig": str(kubeconfig)})
    return config.model_copy(update={"cluster": config.cluster.model_copy(update={"existing": existing})})


EXPIRED = "expired"


def stubbed_sts(responses: list[dict | str]) -> tuple[object, Stubber]:
    """An STS client answering get_caller_identity with each identity, or ExpiredToken for EXPIRED."""
    client = boto3.client("sts", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="y")
    stubber = Stubber(client)
    for response in responses:
        if response == EXPIRED:
            stubber.add_client_error("get_caller_identity", "ExpiredToken", "The security token has expired")
        else:
            assert isinstance(response, dict)
            stubber.add_response("get_caller_identity", response, {})
    stubber.activate()
    return client, stubber


def test_cli_check_pass_warn_fail() -> None:
    assert cli_check(lambda: FakeEngine(version="3.272.0"), "3.272.0", "3.1.0")[0].status == "pass"
    warn = cli_check(lambda: FakeEngine(version="3.280.1"), "3.272.0", "3.1.0")[0]
    assert warn.status == "warn" and "pinned: 3.272.0" in warn.detail
    old = cli_check(lambda: FakeEngine(version="3.0.9"), "3.272.0", "3.1.0")[0]
    assert old.status == "fail" and "older than the minimum 3.1.0" in old.detail


def test_missing_cli_fails_both_the_cli_and_the_login_check() -> None:
    def missing() -> FakeEngine:
        raise EngineMissingError("no `pulumi` binary on PATH; install Pulumi CLI 3.272.0")

    check, engine = cli_check(missing, "3.272.0", "3.1.0")
    assert (check.status, engine) == ("fail", None)
    assert "install Pulumi CLI 3.272.0" in check.detail
    assert login_check(engine).status == "fail"


def test_login_check_reports_the_user_or_the_engines_error() -> None:
    assert login_check(FakeEngine(user="ci @ s3://state")).detail == "ci @ s3://state"
    failed = login_check(FakeEngine(errors={"whoami": "not logged in"}))
    assert failed.status == "fail" and failed.detail == "not logged in (run `pulumi login ...`)"


def test_aws_credentials_check_for_eks_environments() -> None:
    _, prod = load_environment("prod")
    client, stubber = stubbed_sts([IDENTITY, EXPIRED])
    passed = aws_credentials_check(prod, lambda region: client)
    assert passed is not None and passed.status == "pass"
    assert passed.detail == "arn:aws:iam::123456789012:user/platform (account 123456789012, us-east-1)"
    failed = aws_credentials_check(prod, lambda region: client)
    assert failed is not None and failed.status == "fail" and "ExpiredToken" in failed.detail
    stubber.assert_no_pending_responses()


def test_aws_credentials_check_does_not_apply_to_existing_clusters(tmp_path: Path) -> None:
    config = local_config(tmp_path / "kubeconfig")
    assert aws_credentials_check(config, lambda region: pytest.fail("sts called")) is None


def test_kubeconfig_check_finds_the_named_context(tmp_path: Path) -> None:
    path = write_kubeconfig(tmp_path / "kubeconfig", ["kind-kfstack", "other"])
    check = kubeconfig_check(local_config(path))
    assert check is not None and check.status == "pass" and check.detail == f"kind-kfstack in {path}"


def test_kubeconfig_check_names_the_missing_context_and_what_exists(tmp_path: Path) -> None:
    path = write_kubeconfig(tmp_path / "kubeconfig", ["docker-desktop", "minikube"])
    check = kubeconfig_check(local_config(path))
    assert check is not None and check.status == "fail"
    assert check.detail == f"context 'kind-kfstack' not in {path} (has: docker-desktop, minikube)"


def test_kubeconfig_check_missing_file(tmp_path: Path) -> None:
    check = kubeconfig_check(local_config(tmp_path / "absent"))
    assert check is not None and check.status == "fail" and "does not exist" in check.detail


def test_run_checks_per_environment_kind(tmp_path: Path) -> None:
    path = write_kubeconfig(tmp_path / "kubeconfig", ["kind-kfstack"])
    local = run_checks(local_config(path), FakeEngine, lambda r: pytest.fail("sts"), "3.272.0", "3.1.0")
    assert [c.name for c in local] == ["pulumi CLI", "backend login", "kubeconfig context"]
    assert {c.status for c in local} == {"pass"}
    _, prod = load_environment("prod")
    client, _ = stubbed_sts([IDENTITY])
    checks = run_checks(prod, FakeEngine, lambda r: client, "3.272.0", "3.1.0")
    assert [c.name for c in checks] == ["pulumi CLI", "backend login", "AWS credentials"]
