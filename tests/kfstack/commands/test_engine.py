"""`kfstack preview|up|destroy|refresh|drift` through click, against the fake engine."""

from __future__ import annotations

import pytest
from click.testing import CliRunner, Result

from kfstack.cli import main
from kfstack.commands import engine as engine_commands
from kfstack.engine.interface import EngineMissingError, OperationResult, ResourceStep, RunOptions
from tests.kfstack.engine.fake_engine import FakeEngine

CHANGES = OperationResult(
    {"create": 2, "update": 1, "same": 40},
    [ResourceStep("create", "urn:pulumi:dev::kfstack::kubernetes:core/v1:ConfigMap::cm", "kubernetes:core/v1:ConfigMap")],
)
DK8S = "urn:pulumi:prod::kfstack::kubernetes:apps/v1:Deployment::web"
DKFP = "urn:pulumi:prod::kfstack::pulumi-python:dynamic/kfp:RecurringRun::nightly-retrain"
DRIFT = OperationResult(
    {"same": 30, "update": 1, "delete": 1},
    [
        ResourceStep("same", "urn:pulumi:prod::kfstack::kubernetes:core/v1:Namespace::ns", "kubernetes:core/v1:Namespace"),
        ResourceStep("update", DK8S, "kubernetes:apps/v1:Deployment", ("spec.replicas",)),
        ResourceStep("delete", DKFP, "pulumi-python:dynamic/kfp:RecurringRun"),
    ],
)


def invoke(engine: FakeEngine, args: list[str], input: str | None = None) -> Result:
    return CliRunner().invoke(main, args, obj={"engine_factory": lambda: engine}, input=input)


@pytest.fixture
def terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(engine_commands, "stdin_is_interactive", lambda: True)


def test_preview_streams_the_engine_output_and_summarises() -> None:
    engine = FakeEngine(results={"preview": CHANGES}, output=["Previewing update (dev):", "+ cm create"])
    result = invoke(engine, ["preview", "dev", "--diff"])
    assert result.exit_code == 0, result.output
    assert "Previewing update (dev):\n+ cm create\n" in result.output
    assert "preview dev: 2 to create, 1 to update, 40 unchanged" in result.output
    assert engine.calls == [("preview", "dev", RunOptions(diff=True, expect_no_changes=False))]


def test_preview_expect_no_changes_fails_when_something_changes() -> None:
    engine = FakeEngine(results={"preview": CHANGES})
    result = invoke(engine, ["preview", "dev", "--expect-no-changes"])
    assert result.exit_code == 1
    assert "--expect-no-changes, but 3 change(s)" in result.output
    assert engine.calls[0][2].expect_no_changes


def test_preview_expect_no_changes_passes_when_nothing_changes() -> None:
    result = invoke(FakeEngine(), ["preview", "dev", "--expect-no-changes"])
    assert result.exit_code == 0, result.output
    assert "preview dev: 3 unchanged" in result.output


def test_up_with_yes_applies_without_a_preview_or_prompt() -> None:
    engine = FakeEngine(results={"up": CHANGES})
    result = invoke(engine, ["up", "dev", "--yes"])
    assert result.exit_code == 0, result.output
    assert [c[0] for c in engine.calls] == ["up"]
    assert "✓ up dev: 2 to create" in result.output


def test_up_without_yes_refuses_when_stdin_is_not_a_terminal() -> None:
    engine = FakeEngine(results={"preview": CHANGES})
    result = invoke(engine, ["up", "dev"])
    assert result.exit_code == 2
    assert "refusing to up dev without --yes: stdin is not a terminal" in result.output
    assert engine.calls == []


def test_up_previews_then_applies_once_confirmed(terminal: None) -> None:
    engine = FakeEngine(results={"preview": CHANGES, "up": CHANGES})
    result = invoke(engine, ["up", "dev"], input="y\n")
    assert result.exit_code == 0, result.output
    assert "Apply these changes to dev?" in result.output
    assert [c[0] for c in engine.calls] == ["preview", "up"]


def test_up_declined_applies_nothing(terminal: None) -> None:
    engine = FakeEngine(results={"preview": CHANGES})
    result = invoke(engine, ["up", "dev"], input="n\n")
    assert result.exit_code == 1
    assert "up dev: cancelled" in result.output
    assert [c[0] for c in engine.calls] == ["preview"]


def test_up_with_nothing_to_change_does_not_prompt(terminal: None) -> None:
    engine = FakeEngine()
    result = invoke(engine, ["up", "dev"])
    assert result.exit_code == 0, result.output
    assert "up dev: nothing to change" in result.output
    assert [c[0] for c in engine.calls] == ["preview"]


def test_up_expect_no_changes_applies_nothing_when_the_preview_has_changes() -> None:
    engine = FakeEngine(results={"preview": CHANGES})
    result = invoke(engine, ["up", "dev", "--yes", "--expect-no-changes"])
    assert result.exit_code == 1
    assert "up dev: --expect-no-changes, but 3 change(s)" in result.output
    assert [c[0] for c in engine.calls] == ["preview"]


def test_engine_error_exits_1_with_its_message_and_no_traceback() -> None:
    engine = FakeEngine(errors={"up": "error: resource 'eks' is protected"})
    result = invoke(engine, ["up", "prod", "--yes"])
    assert result.exit_code == 1
    assert "up prod failed: error: resource 'eks' is protected" in result.output
    assert "Traceback" not in result.output


def test_missing_cli_exits_1_with_the_install_line() -> None:
    def no_cli() -> FakeEngine:
        raise EngineMissingError("no `pulumi` binary on PATH; install Pulumi CLI 3.272.0 ...")

    result = CliRunner().invoke(main, ["preview", "dev"], obj={"engine_factory": no_cli})
    assert result.exit_code == 1
    assert "no `pulumi` binary on PATH; install Pulumi CLI 3.272.0" in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_unknown_environment_exits_2_before_the_engine_is_opened() -> None:
    def never() -> FakeEngine:
        raise AssertionError("engine opened for a bad environment")

    result = CliRunner().invoke(main, ["up", "nowhere", "--yes"], obj={"engine_factory": never})
    assert result.exit_code == 2
    assert "unknown environment 'nowhere'; known environments: dev, local, prod, staging" in result.output


def test_destroy_and_refresh_run_with_yes_and_refuse_without_a_terminal() -> None:
    engine = FakeEngine(results={"destroy": OperationResult({"delete": 5})})
    assert invoke(engine, ["destroy", "dev", "--yes"]).exit_code == 0
    assert invoke(engine, ["refresh", "dev", "--yes"]).exit_code == 0
    assert [c[0] for c in engine.calls] == ["destroy", "refresh"]
    for command in ("destroy", "refresh"):
        refused = invoke(engine, [command, "dev"])
        assert refused.exit_code == 2
        assert f"refusing to {command} dev without --yes" in refused.output
    assert len(engine.calls) == 2


def test_destroy_asks_before_deleting(terminal: None) -> None:
    engine = FakeEngine()
    result = invoke(engine, ["destroy", "dev"], input="n\n")
    assert result.exit_code == 1
    assert "Destroy every resource of stack dev?" in result.output
    assert engine.calls == []


def test_drift_none_exits_0() -> None:
    engine = FakeEngine()
    result = invoke(engine, ["drift", "prod"])
    assert result.exit_code == 0, result.output
    assert "no drift in prod: 3 unchanged" in result.output
    assert [c[0] for c in engine.calls] == ["drift"]


def test_drift_found_exits_1_listing_cluster_objects_and_kfp_schedules() -> None:
    result = invoke(FakeEngine(results={"drift": DRIFT}), ["drift", "prod"])
    assert result.exit_code == 1
    out = result.output
    assert "drift in prod: 2 resource(s) differ from the state" in out
    assert "Kubernetes:" in out and "Kubeflow Pipelines:" in out
    assert f"update {DK8S} (spec.replicas)" in out
    assert f"delete {DKFP}" in out
    assert "Namespace::ns" not in out


def test_drift_engine_error_exits_1() -> None:
    result = invoke(FakeEngine(errors={"drift": "stack 'prod' does not exist"}), ["drift", "prod"])
    assert result.exit_code == 1
    assert "drift prod failed: stack 'prod' does not exist" in result.output
