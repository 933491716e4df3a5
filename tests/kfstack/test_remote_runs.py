"""`kfstack pipelines run NAME --env ENV`: the registered version, resolved as `pulumi up` registers
it, run through the same client against the contract-checked KFP API test server."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from kfstack.cli import main
from kfstack.remote_runs import RemoteRunError, cluster_access, prepare_remote_run
from modules.kfp.connection import KfpConnection
from modules.kfp.experiment import ExperimentProvider
from modules.kfp.pipeline import PipelineProvider
from modules.kfp.pipeline_version import PipelineVersionProvider
from stacks.components.kfp_resources import pipeline_source
from stacks.config.loader import ENVIRONMENTS_DIR, load_environment
from stacks.pipeline_target import environment_target
from tests.modules.kfp.kfp_api_server import KfpApiServer


def _environment(tmp_path: Path, endpoint: str, **auth: Any) -> Path:
    """The local environment pointed at `endpoint`, auth `none` unless given."""
    document = yaml.safe_load((ENVIRONMENTS_DIR / "Pulumi.local.yaml").read_text())
    document["config"]["kfstack:pipelines"]["kfp"] = {"endpoint": endpoint, "auth": auth or {"mode": "none"}}
    path = tmp_path / "Pulumi.local.yaml"
    path.write_text(yaml.safe_dump(document))
    return path


def _register(server: KfpApiServer, file: Path, pipeline: str = "train-and-deploy") -> str:
    """Register the pipeline version the stack would, and the experiment; returns the version name."""
    _, config = load_environment(str(file))
    source = pipeline_source(pipeline, environment_target(config))
    connection = KfpConnection(endpoint=server.url, namespace=config.pipelines.namespace, auth="none")
    props = connection.provider_props()
    created = PipelineProvider().create({**props, "name": pipeline})
    PipelineVersionProvider().create(
        {**props, "pipeline_id": created.id, "name": source.version, "spec": source.spec, "keep_versions": 3}
    )
    ExperimentProvider().create({**props, "name": "reference"})
    return source.version


def _run(*args: str) -> Any:
    return CliRunner().invoke(main, ["pipelines", "run", *args])


def test_a_run_of_the_registered_version_is_submitted_and_followed_to_success(
    tmp_path: Path, kfp_server: KfpApiServer
) -> None:
    file = _environment(tmp_path, kfp_server.url)
    version = _register(kfp_server, file)
    kfp_server.script_new_runs(["PENDING", "RUNNING", "SUCCEEDED"])
    result = _run("train-and-deploy", "--env", str(file), "-p", "max_iter=5", "--poll-seconds", "0.01",
                  "--json")
    assert result.exit_code == 0, result.output
    # the run was created for the registered version, with the override typed as the pipeline declares
    (create,) = kfp_server.calls("RunService_CreateRun")
    assert create.body["runtime_config"] == {"parameters": {"max_iter": 5}}
    run_id = next(iter(kfp_server.store.runs))
    reference = kfp_server.store.runs[run_id].pipeline_version_reference
    assert kfp_server.store.versions[reference.pipeline_version_id].name == version
    summary = json.loads(result.stdout)
    assert summary["version"] == version
    assert summary["url"] == f"{kfp_server.url}/#/runs/details/{run_id}"
    assert summary["state"] == "SUCCEEDED"


def test_states_are_shown_until_the_run_ends_and_failure_exits_1(tmp_path: Path, kfp_server: KfpApiServer) -> None:
    file = _environment(tmp_path, kfp_server.url)
    _register(kfp_server, file)
    kfp_server.script_new_runs(["RUNNING", "RUNNING", "FAILED"])
    result = _run("train-and-deploy", "--env", str(file), "--poll-seconds", "0.01")
    assert result.exit_code == 1, result.output
    assert "runs/details/" in result.output
    lines = [line.strip() for line in result.output.splitlines()]
    assert lines.index("RUNNING") < lines.index("FAILED")

    kfp_server.script_new_runs(["RUNNING", "SUCCEEDED"])
    assert _run("train-and-deploy", "--env", str(file), "--poll-seconds", "0.01").exit_code == 0


def test_a_version_not_yet_registered_says_to_run_pulumi_up(tmp_path: Path, kfp_server: KfpApiServer) -> None:
    file = _environment(tmp_path, kfp_server.url)
    _register(kfp_server, file, pipeline="retrain")  # a different pipeline
    result = _run("train-and-deploy", "--env", str(file), "--no-follow")
    assert result.exit_code == 1
    assert "pipeline 'train-and-deploy' is not registered" in result.output
    assert "`pulumi up` registers it" in result.output
    assert "Traceback" not in result.output
    assert kfp_server.calls("RunService_CreateRun") == []


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["nope"], "is not registered in local"),
        (["train-and-deploy", "--experiment", "nope"], "unknown experiment 'nope' in local; defined: reference"),
        (["train-and-deploy", "-p", "max_iter=x"], "max_iter: expected int, got 'x'"),
    ],
)
def test_bad_input_exits_2_before_calling_kfp(tmp_path: Path, kfp_server: KfpApiServer, args, message) -> None:
    file = _environment(tmp_path, kfp_server.url)
    result = _run(*args, "--env", str(file))
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert kfp_server.log == []


def test_encrypted_secrets_come_from_the_environment(tmp_path: Path) -> None:
    from stacks.config.secrets import SecretRef

    _, config = load_environment("local")
    auth = config.pipelines.kfp.auth.model_copy(update={"mode": "oidcToken", "token": SecretRef("v1:x")})
    kfp = config.pipelines.kfp.model_copy(update={"auth": auth})
    oidc = config.model_copy(update={"pipelines": config.pipelines.model_copy(update={"kfp": kfp})})
    with pytest.raises(RemoteRunError, match="set KFSTACK_KFP_TOKEN"):
        prepare_remote_run("local", oidc, "retrain", {}, env={})
    run = prepare_remote_run("local", oidc, "retrain", {}, env={"KFSTACK_KFP_TOKEN": "t0k3n"})
    assert run.connection.token == "t0k3n" and run.connection.auth == "oidcToken"


def test_service_account_tokens_use_the_environments_cluster() -> None:
    _, local = load_environment("local")
    kubeconfig, context = cluster_access("local", local)
    assert kubeconfig.endswith(".kube/config") and context == "kind-kfstack"
    _, dev = load_environment("dev")
    calls = []

    def describe(name: str, region: str) -> dict:
        calls.append((name, region))
        return {"endpoint": "https://ABC.gr7.us-west-2.eks.amazonaws.com", "certificateAuthority": {"data": "Q0E="}}

    kubeconfig, context = cluster_access("dev", dev, describe)
    document = json.loads(kubeconfig)
    assert calls == [("kfstack-dev", "us-west-2")] and context is None
    assert document["clusters"][0]["cluster"]["server"] == "https://ABC.gr7.us-west-2.eks.amazonaws.com"
    run = prepare_remote_run("dev", dev, "retrain", {"window_days": "7"}, describe=describe)
    assert run.connection.service_account == "kfstack-pipelines" and run.parameters == {"window_days": 7}
    assert run.version.startswith("retrain-") and run.experiment == "reference"


def test_an_eks_cluster_that_cannot_be_described_is_a_clear_error() -> None:
    from botocore.exceptions import NoCredentialsError

    from kfstack.remote_runs import ClusterUnreachable

    _, dev = load_environment("dev")

    def no_credentials(name: str, region: str) -> dict:
        raise NoCredentialsError()

    with pytest.raises(ClusterUnreachable, match="cannot describe EKS cluster kfstack-dev in us-west-2: Unable"):
        cluster_access("dev", dev, no_credentials)


@pytest.mark.slow  # the client retries with backoff before giving up
def test_an_unreachable_kfp_exits_1_with_the_endpoint_and_no_traceback(tmp_path: Path) -> None:
    import socket

    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    file = _environment(tmp_path, f"http://127.0.0.1:{port}/pipeline")
    result = _run("train-and-deploy", "--env", str(file), "--no-follow")
    assert result.exit_code == 1, result.output
    assert f"127.0.0.1:{port}" in result.output
    assert "Traceback" not in result.output
