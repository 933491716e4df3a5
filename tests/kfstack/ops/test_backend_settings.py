"""kfstack/ops/backend_settings.py: bucket name and region from config or derived, the secrets provider lines."""

from pathlib import Path

import pytest

from kfstack.ops.backend_settings import (
    BackendSettingsError,
    awskms_url,
    project_directory,
    s3_backend_target,
    secrets_provider_lines,
)
from stacks.config.loader import load_environment
from stacks.config.state_backend import StateBackendConfig

KEY = "arn:aws:kms:us-west-2:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"


def dev_with(**state_backend):
    _, config = load_environment("dev")
    return config.model_copy(update={"state_backend": StateBackendConfig.model_validate(state_backend)})


def never() -> str:
    raise AssertionError("the account id is only needed for a derived name")


def test_default_bucket_is_derived_from_environment_and_account_in_the_eks_region() -> None:
    _, config = load_environment("dev")
    target = s3_backend_target("dev", config, lambda: "123456789012")
    assert (target.bucket, target.region, target.kms_key_arn, target.noncurrent_version_days) == (
        "kfstack-state-dev-123456789012",
        "us-west-2",
        None,
        90,
    )


def test_configured_bucket_region_key_and_days_win() -> None:
    config = dev_with(bucket="acme-pulumi", region="eu-west-1", kmsKeyArn=KEY, noncurrentVersionDays=14)
    target = s3_backend_target("dev", config, never)
    assert (target.bucket, target.region, target.kms_key_arn, target.noncurrent_version_days) == (
        "acme-pulumi",
        "eu-west-1",
        KEY,
        14,
    )


def test_a_derived_name_that_is_not_a_bucket_name_asks_for_one() -> None:
    _, config = load_environment("dev")
    with pytest.raises(BackendSettingsError, match=r"set kfstack:stateBackend.bucket"):
        s3_backend_target("Dev_Env", config, lambda: "123456789012")


def test_awskms_url_of_key_and_alias_arns() -> None:
    assert awskms_url(KEY) == "awskms://1234abcd-12ab-34cd-56ef-1234567890ab?region=us-west-2"
    assert awskms_url("arn:aws:kms:us-east-1:123456789012:alias/pulumi") == "awskms://alias/pulumi?region=us-east-1"


def test_passphrase_lines(tmp_path: Path) -> None:
    stack_file = tmp_path / "Pulumi.dev.yaml"
    stack_file.write_text("config: {}\n")
    _, config = load_environment("dev")
    lines = secrets_provider_lines("dev", config, stack_file)
    assert "export PULUMI_CONFIG_PASSPHRASE=..." in lines
    assert "pulumi stack init dev --secrets-provider passphrase" in lines


def test_kms_lines_and_an_already_declared_provider(tmp_path: Path) -> None:
    stack_file = tmp_path / "Pulumi.dev.yaml"
    stack_file.write_text("config: {}\n")
    config = dev_with(kmsKeyArn=KEY, secretsProvider="awskms")
    url = "awskms://1234abcd-12ab-34cd-56ef-1234567890ab?region=us-west-2"
    lines = secrets_provider_lines("dev", config, stack_file)
    assert f"pulumi stack init dev --secrets-provider '{url}'" in lines
    assert any(f"`secretsprovider: {url}`" in line for line in lines)
    stack_file.write_text(f"secretsprovider: {url}\nconfig: {{}}\n")
    assert secrets_provider_lines("dev", config, stack_file) == [
        f"# secrets: AWS KMS; Pulumi.dev.yaml already has `secretsprovider: {url}`"
    ]


def test_project_directory_is_where_pulumi_yaml_is(tmp_path: Path) -> None:
    (tmp_path / "Pulumi.yaml").write_text("name: x\n")
    (tmp_path / "environments").mkdir()
    assert project_directory(tmp_path / "environments" / "Pulumi.local.yaml") == tmp_path.resolve()
