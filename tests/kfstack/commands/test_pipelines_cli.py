import json
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from kfstack.cli import main
from pipelines.local_run import LocalRunResult


def _invoke(*args):
    return CliRunner().invoke(main, ["pipelines", *args])


def test_list_shows_both_pipelines_as_json():
    result = _invoke("list", "--json")
    assert result.exit_code == 0, result.output
    listed = {p["name"]: p for p in json.loads(result.output)}
    assert set(listed) == {"train-and-deploy", "retrain"}
    assert listed["train-and-deploy"]["parameters"]["metric"] == "accuracy"


def test_compile_writes_identical_ir_each_time(tmp_path):
    first, second = tmp_path / "a.yaml", tmp_path / "b.yaml"
    assert _invoke("compile", "train-and-deploy", "--output", str(first)).exit_code == 0
    assert _invoke("compile", "train-and-deploy", "-o", str(second)).exit_code == 0
    assert first.read_bytes() == second.read_bytes()
    assert yaml.safe_load_all(first.read_text()).__next__()["pipelineInfo"]["name"] == (
        "train-and-deploy")


def test_compile_to_a_path_it_cannot_write_exits_2_naming_it(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("")
    target = blocker / "p.yaml"  # a folder that is a file
    result = _invoke("compile", "retrain", "-o", str(target))
    assert result.exit_code == 2
    assert f"cannot write {target}" in result.output
    assert "Traceback" not in result.output


def test_compile_to_stdout_matches_the_file(tmp_path):
    out = tmp_path / "p.yaml"
    _invoke("compile", "retrain", "-o", str(out))
    assert _invoke("compile", "retrain").output == out.read_text()


@pytest.mark.parametrize(("args", "message"), [
    (["compile", "nope"], "known pipelines: train-and-deploy, retrain"),
    (["run", "nope", "--local"], "known pipelines: train-and-deploy, retrain"),
    (["run", "train-and-deploy"], "choose where to run: --local, or --env ENV"),
    (["run", "train-and-deploy", "--local", "--env", "dev"], "choose where to run"),
    (["run", "train-and-deploy", "--env", "qa"], "unknown environment 'qa'"),
    (["run", "train-and-deploy", "--local", "-p", "metric=auc"], "unknown metric"),
    (["run", "train-and-deploy", "--local", "-p", "min_endpoint_accuracy=1.2"],
     "threshold must be between 0 and 1"),
    (["run", "train-and-deploy", "--local", "-p", "dataset_uri=/no/such.csv"],
     "dataset file not found: /no/such.csv"),
    (["run", "train-and-deploy", "--local", "-p", "max_iter"], "KEY=VALUE"),
])
def test_bad_input_exits_2_with_a_message_and_no_traceback(args, message, tmp_path):
    result = _invoke(*args, *(["--workdir", str(tmp_path)] if "run" in args else []))
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert "Traceback" not in result.output
    assert not (tmp_path / "runs").exists()


def _fake_result(tmp_path, **changes):
    values = dict(
        pipeline="train-and-deploy", workdir=tmp_path, run_dir=tmp_path, log_path=tmp_path / "l",
        parameters={"model_name": "digits-mlp", "alias": "champion",
                    "challenger_alias": "challenger", "min_endpoint_accuracy": 0.9},
        succeeded=True, seconds=12.0,
        steps={"ingest": "succeeded", "deploy": "succeeded", "integration-test": "succeeded"},
        step_seconds={"ingest": 1.0, "deploy": 1.0}, champion_before=None, champion_after="1",
        registered_version="1", metrics={"accuracy": 0.98}, serving_after="1",
        storage_uri="pvc://models/digits-mlp/abc",
        comparison={"reason": "no 'champion' version of 'digits-mlp' yet"},
        deploy={"validation": "CRD schema x"},
        endpoint={"endpoint_accuracy": 0.97, "golden_rows": 100.0},
    )
    return LocalRunResult(**(values | changes))


def test_run_renders_the_summary(monkeypatch, tmp_path):
    monkeypatch.setattr("pipelines.local_run.run_local",
                        lambda *a, **k: _fake_result(tmp_path))
    result = _invoke("run", "train-and-deploy", "--local", "--workdir", str(tmp_path))
    assert result.exit_code == 0, result.output
    for fragment in ("accuracy", "0.9800", "champion before: none", "after: v1",
                     "serving before: none", "challenger: v1", "pvc://models/digits-mlp/abc",
                     "endpoint test: accuracy 0.9700", "passed", "promoted: v1 passed its endpoint test"):
        assert fragment in result.output


def test_failed_run_exits_1_with_json(monkeypatch, tmp_path):
    failed = _fake_result(tmp_path, succeeded=False, error="Inner task failed: integration-test")
    monkeypatch.setattr("pipelines.local_run.run_local", lambda *a, **k: failed)
    result = CliRunner().invoke(
        main, ["pipelines", "run", "train-and-deploy", "--local", "--json"])
    assert result.exit_code == 1
    summary = json.loads(result.stdout)
    assert summary["succeeded"] is False
    assert summary["error"] == "Inner task failed: integration-test"


@pytest.mark.slow
def test_weak_first_run_is_rejected_by_the_floor_and_exits_1(tmp_path):
    """In a fresh workdir a weak model fails the run and never becomes champion."""
    result = _invoke("run", "train-and-deploy", "--local", "--workdir", str(tmp_path),
                     "-p", "hidden_layers=2", "-p", "max_iter=1", "--json")
    assert result.exit_code == 1, result.output
    summary = json.loads(result.stdout)
    assert summary["outcome"] == "rejected"
    assert "misses the quality floor 0.9" in summary["reason"]
    assert summary["steps"]["reject-candidate"] == "failed"
    assert summary["steps"]["register-challenger"] == "not run"
    assert summary["champion_after"] is None and summary["registered_version"] is None
    assert summary["serving_after"] is None
    assert Path(summary["log"]).is_file()
