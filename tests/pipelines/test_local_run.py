"""Whole-pipeline local runs: a good run promotes v1, a weak run leaves the champion alone."""

import json

import pytest

from pipelines.local_run import run_local
from pipelines.params import ParameterError

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    workdir = tmp_path_factory.mktemp("local")
    events = []
    good = run_local("train-and-deploy", {}, workdir, on_event=events.append)
    weak = run_local("train-and-deploy", {"hidden_layers": "2", "max_iter": "1"}, workdir)
    return {"good": good, "weak": weak, "events": events, "workdir": workdir}


def _versions(workdir):
    from pipelines.steps import registry

    client = registry.client(f"sqlite:///{workdir / 'mlflow.db'}")
    return sorted(str(v.version) for v in client.search_model_versions("name='digits-mlp'"))


def test_good_run_registers_and_promotes_version_1(runs):
    good = runs["good"]
    assert good.succeeded, good.error
    assert good.metrics["accuracy"] >= 0.9
    assert good.champion_before is None
    assert good.champion_after == good.registered_version == "1"
    assert good.promoted
    assert set(good.steps.values()) == {"succeeded"}


def test_good_run_deploys_a_validated_manifest_and_passes_the_endpoint_test(runs):
    good = runs["good"]
    assert good.deploy["dry_run"] is True
    assert good.deploy["errors"] == []
    assert good.deploy["validation"]  # CRD schema, or the reduced check when absent
    assert good.deploy["endpoint_url"].startswith("http://127.0.0.1:")
    assert good.endpoint["endpoint_accuracy"] >= 0.9
    assert good.endpoint["golden_rows"] == 100
    manifest = json.loads(next(good.run_dir.rglob("deploy/manifest")).read_text())
    assert manifest["metadata"]["labels"]["kfstack.io/model-version"] == "1"
    assert manifest["spec"]["predictor"]["model"]["storageUri"].endswith("/serving")


def test_progress_events_cover_every_step_in_order(runs):
    started = [e.step for e in runs["events"] if e.status == "running"]
    assert started == list(runs["good"].steps)
    assert all(e.seconds > 0 for e in runs["events"] if e.status == "succeeded")


def test_weak_run_does_not_promote_and_keeps_the_champion(runs):
    weak = runs["weak"]
    assert weak.succeeded, weak.error
    assert weak.metrics["accuracy"] < 0.5
    assert weak.comparison["promote"] is False
    assert weak.comparison["champion_version"] == "1"
    assert weak.champion_before == weak.champion_after == "1"
    assert weak.registered_version is None and not weak.promoted
    assert weak.steps["register-and-promote"] == "skipped"
    assert weak.steps["deploy"] == weak.steps["integration-test"] == "skipped"
    assert _versions(runs["workdir"]) == ["1"]


def test_bad_parameters_fail_before_any_step(tmp_path):
    events = []
    with pytest.raises(ParameterError, match="threshold must be between 0 and 1"):
        run_local("train-and-deploy", {"min_endpoint_accuracy": "2"}, tmp_path,
                  on_event=events.append)
    assert events == []
    assert not (tmp_path / "runs").exists()
