"""The Automation-API engine: install hint without a CLI or with one too old, version and whoami
through the Automation API against a stand-in `pulumi` script, event and summary handling, and
(where a real `pulumi` binary exists) a real preview of a small project."""

from __future__ import annotations

import importlib.metadata
import shutil
from pathlib import Path

import pytest
from packaging.version import Version
from pulumi import automation as auto

from kfstack.engine.automation import (
    MINIMUM_CLI_VERSION,
    PINNED_CLI_VERSION,
    AutomationEngine,
    _counts,
    _steps_collector,
)
from kfstack.engine.interface import EngineError, EngineMissingError, ResourceStep, RunOptions

needs_pulumi = pytest.mark.skipif(
    shutil.which("pulumi") is None, reason="no `pulumi` binary on PATH (the adapter's real runs need one)"
)


def test_pinned_cli_version_is_the_installed_sdk_version() -> None:
    assert importlib.metadata.version("pulumi") == PINNED_CLI_VERSION
    assert MINIMUM_CLI_VERSION == "3.1.0"


def test_without_a_pulumi_binary_the_error_says_how_to_install_the_pinned_cli(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(EngineMissingError) as caught:
        AutomationEngine()
    message = str(caught.value)
    assert "no `pulumi` binary on PATH" in message
    assert f"https://get.pulumi.com | sh -s -- --version {PINNED_CLI_VERSION}" in message


def _event(kind: str, op: str, urn: str, diffs: list[str] | None = None) -> auto.EngineEvent:
    metadata = {"op": op, "urn": urn, "type": urn.split("::")[2], "provider": "", "diffs": diffs}
    return auto.EngineEvent.from_json({"sequence": 1, "timestamp": 0, kind: {"metadata": metadata}})


def test_steps_keep_one_entry_per_resource_with_the_outcome() -> None:
    steps: list[ResourceStep] = []
    on_event = _steps_collector(steps)
    urn = "urn:pulumi:dev::kfstack::kubernetes:apps/v1:Deployment::web"
    on_event(_event("resourcePreEvent", "refresh", urn))
    on_event(_event("resOutputsEvent", "update", urn, ["spec"]))
    on_event(auto.EngineEvent.from_json({"sequence": 2, "timestamp": 0, "diagnosticEvent": {
        "message": "x", "color": "never", "severity": "info"}}))
    assert steps == [ResourceStep("update", urn, "kubernetes:apps/v1:Deployment", ("spec",))]


def test_counts_read_the_engines_op_keys() -> None:
    assert _counts({auto.OpType.SAME: 3, "update": 1}) == {"same": 3, "update": 1}
    assert _counts(None) == {}


@needs_pulumi
def test_real_cli_previews_a_small_project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    project = tmp_path / "project"
    project.mkdir()
    (project / "Pulumi.yaml").write_text(
        "name: probe\nruntime: yaml\nresources: {}\noutputs:\n  greeting: hello\n", encoding="utf-8"
    )
    monkeypatch.setenv("PULUMI_BACKEND_URL", f"file://{tmp_path / 'state'}")
    monkeypatch.setenv("PULUMI_CONFIG_PASSPHRASE", "test")
    (tmp_path / "state").mkdir()
    engine = AutomationEngine(project)
    assert Version(engine.cli_version()) >= Version(MINIMUM_CLI_VERSION)
    assert engine.whoami()
    lines: list[str] = []
    result = engine.run("preview", "probe", RunOptions(), lines.append)
    assert result.change_count() == 1  # the stack resource itself
    assert lines


def _stand_in_cli(directory: Path, version: str, whoami: str = "", whoami_code: int = 0) -> None:
    """A `pulumi` script on PATH answering `version` and `whoami --json` the way the CLI does."""
    script = directory / "pulumi"
    script.write_text(
        "#!/bin/sh\n"
        'case "$*" in\n'
        f"  version) echo v{version} ;;\n"
        f"  *'whoami --json') echo '{whoami}' ; [ {whoami_code} -eq 0 ] || echo 'error: not logged in' >&2 ; exit {whoami_code} ;;\n"
        "  *) echo \"unexpected: $*\" >&2 ; exit 99 ;;\n"
        "esac\n",
        encoding="utf-8",
    )
    script.chmod(0o755)


def test_a_cli_older_than_the_automation_apis_minimum_gets_the_install_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _stand_in_cli(tmp_path, "3.0.0")
    monkeypatch.setenv("PATH", f"{tmp_path}:/usr/bin:/bin")
    monkeypatch.delenv("PULUMI_AUTOMATION_API_SKIP_VERSION_CHECK", raising=False)
    with pytest.raises(EngineMissingError) as caught:
        AutomationEngine()
    assert "3.1.0" in str(caught.value)
    assert f"--version {PINNED_CLI_VERSION}" in str(caught.value)


def test_version_and_whoami_through_the_automation_api(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _stand_in_cli(tmp_path, "3.272.0", '{"user": "ci-bot", "url": "s3://kfstack-state", "organizations": []}')
    monkeypatch.setenv("PATH", f"{tmp_path}:/usr/bin:/bin")
    engine = AutomationEngine(tmp_path)
    assert engine.cli_version() == "3.272.0"
    assert engine.whoami() == "ci-bot @ s3://kfstack-state"


def test_not_logged_in_is_an_engine_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _stand_in_cli(tmp_path, "3.272.0", "", whoami_code=255)
    monkeypatch.setenv("PATH", f"{tmp_path}:/usr/bin:/bin")
    with pytest.raises(EngineError) as caught:
        AutomationEngine(tmp_path).whoami()
    assert "not logged in" in str(caught.value)
