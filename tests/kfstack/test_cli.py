"""No traceback from any command: bad input exits 2 with a message, an unexpected error prints
one line and a pointer to `--debug`, which shows the traceback."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from kfstack.cli import main


def invoke(*args: str):
    return CliRunner().invoke(main, list(args))


def no_traceback(result) -> None:
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception


@pytest.fixture
def latin1_env(tmp_path: Path) -> str:
    path = tmp_path / "Pulumi.latin.yaml"
    path.write_bytes("config:\n  kfstack:tier: local  # José\n".encode("latin-1"))
    return str(path)


@pytest.mark.parametrize("command", [["validate"], ["plan"], ["pipelines", "compile", "retrain", "--env"]])
def test_a_non_utf8_environment_exits_2_from_every_command_that_reads_one(
    command: list[str], latin1_env: str
) -> None:
    result = invoke(*command, latin1_env)
    no_traceback(result)
    assert result.exit_code == 2
    assert f"{latin1_env}:2: not valid UTF-8" in result.output


@pytest.mark.parametrize("command", [["validate"], ["plan"]])
def test_a_directory_exits_2(command: list[str], tmp_path: Path) -> None:
    result = invoke(*command, str(tmp_path))
    no_traceback(result)
    assert result.exit_code == 2
    assert "is a directory" in result.output


def test_unknown_pipeline_exits_2() -> None:
    result = invoke("pipelines", "compile", "no-such-pipeline")
    no_traceback(result)
    assert result.exit_code == 2


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"{not json", ":1: not valid JSON"),
        (b"\xff\xfe{\x00}\x00", "not UTF-8 text"),
        (b"[1, 2]", "not a kfstack plan"),
        (json.dumps({"resources": [1]}).encode(), "resources[0]: expected an object, got int"),
        (
            json.dumps({"resources": [{"urn": "u", "type": 3, "name": "n"}]}).encode(),
            "resources[0].type: expected",
        ),
        (
            json.dumps({"resources": [{"urn": "u", "type": "t", "name": "n", "inputs": []}]}).encode(),
            "inputs",
        ),
    ],
)
def test_diff_of_a_malformed_plan_exits_2_naming_the_file(
    tmp_path: Path, content: bytes, message: str
) -> None:
    good = tmp_path / "old.json"
    good.write_text(json.dumps({"resources": []}))
    bad = tmp_path / "new.json"
    bad.write_bytes(content)
    result = invoke("diff", str(good), str(bad))
    no_traceback(result)
    assert result.exit_code == 2
    assert str(bad) in result.output and message in result.output


def test_diff_of_a_missing_plan_exits_2(tmp_path: Path) -> None:
    result = invoke("diff", str(tmp_path / "a.json"), str(tmp_path / "b.json"))
    no_traceback(result)
    assert result.exit_code == 2
    assert "file not found" in result.output


def _explode(*_args: object, **_kwargs: object) -> None:
    raise RuntimeError("disk on fire\nsecond line")


def test_an_unexpected_error_is_one_line_with_a_pointer_to_debug(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("kfstack.commands.validate.load_environment", _explode)
    result = invoke("validate", "local")
    no_traceback(result)
    assert result.exit_code == 1
    assert result.output.strip().splitlines() == [
        "error: unexpected RuntimeError: disk on fire (rerun with `kfstack --debug ...` for the traceback)"
    ]


def test_debug_shows_the_traceback(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("kfstack.commands.validate.load_environment", _explode)
    result = invoke("--debug", "validate", "local")
    assert isinstance(result.exception, RuntimeError)
    assert result.exit_code == 1
