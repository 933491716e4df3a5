"""`kfstack bootstrap ENV`: moto's S3 for the cloud environments, a temporary project for local; exit codes
and messages for no credentials and bad input."""

from pathlib import Path

import boto3
from click.testing import CliRunner

from kfstack.commands.bootstrap import bootstrap_command
from stacks.config.loader import ENVIRONMENTS_DIR


def run(*args: str):
    return CliRunner().invoke(bootstrap_command, list(args))


def test_dev_creates_the_bucket_then_reports_already_configured(fake_aws) -> None:
    first = run("dev")
    assert first.exit_code == 0, first.output
    bucket = "kfstack-state-dev-123456789012"  # moto's account id
    assert f"created            bucket: {bucket} (us-west-2)" in first.output
    assert "state backend ready (6 setting(s) changed)" in first.output
    assert f"pulumi login 's3://{bucket}?region=us-west-2'" in first.output
    assert "pulumi stack init dev --secrets-provider passphrase" in first.output
    s3 = boto3.client("s3", region_name="us-west-2")
    assert s3.get_bucket_versioning(Bucket=bucket)["Status"] == "Enabled"

    second = run("dev")
    assert second.exit_code == 0, second.output
    assert second.output.count("already configured") == 7  # six settings and the summary
    assert "nothing changed: already configured" in second.output
    assert f"pulumi login 's3://{bucket}?region=us-west-2'" in second.output


def test_prod_bucket_in_us_east_1(fake_aws) -> None:
    result = run("prod")
    assert result.exit_code == 0, result.output
    assert "pulumi login 's3://kfstack-state-prod-123456789012?region=us-east-1'" in result.output


def test_no_credentials_is_a_message_not_a_traceback(no_aws_credentials) -> None:
    result = run("staging")
    assert result.exit_code == 1
    assert "no AWS credentials found" in result.output
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


def _project(tmp_path: Path, name: str, text: str) -> Path:
    (tmp_path / "Pulumi.yaml").write_text("name: kfstack\n")
    (tmp_path / "environments").mkdir()
    path = tmp_path / "environments" / f"Pulumi.{name}.yaml"
    path.write_text(text)
    return path


def test_local_makes_the_ignored_state_folder_of_its_project(tmp_path: Path) -> None:
    stack_file = _project(tmp_path, "local", (ENVIRONMENTS_DIR / "Pulumi.local.yaml").read_text())
    result = run(str(stack_file))
    assert result.exit_code == 0, result.output
    assert (tmp_path / ".pulumi-state").is_dir()
    assert "/.pulumi-state/" in (tmp_path / ".gitignore").read_text()
    assert f"pulumi login 'file://{tmp_path.resolve()}/.pulumi-state'" in result.output
    assert "export PULUMI_CONFIG_PASSPHRASE=..." in result.output
    again = run(str(stack_file))
    assert "nothing changed: already configured" in again.output


def test_existing_cluster_outside_local_needs_a_region(tmp_path: Path) -> None:
    text = (ENVIRONMENTS_DIR / "Pulumi.local.yaml").read_text().replace("kfstack:tier: local", "kfstack:tier: dev")
    # dev needs a login and a real certificate: take them from the shipped dev file
    dev = (ENVIRONMENTS_DIR / "Pulumi.dev.yaml").read_text()
    auth = dev[dev.index("  kfstack:auth:") : dev.index("  kfstack:profiles:")]
    text = text.replace("  kfstack:profiles:", auth + "  kfstack:profiles:", 1)
    text = text.replace(
        "  kfstack:components:",
        "  kfstack:gateway:\n    hostname: kubeflow.dev.example.com\n    tls:\n      mode: existingSecret\n"
        "      secretName: tls\n  kfstack:components:",
        1,
    )
    stack_file = _project(tmp_path, "dev", text)
    result = run(str(stack_file))
    assert result.exit_code == 2, result.output
    assert "kfstack:stateBackend.region: required on an existing cluster" in result.output
    assert "Traceback" not in result.output


def test_unknown_environment_is_bad_input() -> None:
    result = run("qa")
    assert result.exit_code == 2
    assert "unknown environment 'qa'" in result.output

