"""Whole-pipeline local runs through the gate, with the real kfp.local runner.

One workdir goes: weak model (rejected, no champion) → good model (champion, serving) →
weak model again (rejected; the champion keeps its alias and its InferenceService). Fresh
workdirs cover a candidate that passes the floor but fails its endpoint test, and a manifest
whose storage URI names a claim the endpoint does not mount.
"""

import json

import pytest

from pipelines.local_run import MODELS_CLAIM, local_target, run_local
from pipelines.params import ParameterError
from pipelines.placement import VolumeMount

pytestmark = pytest.mark.slow
WEAK = {"hidden_layers": "2", "max_iter": "1"}


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    workdir = tmp_path_factory.mktemp("local")
    events = []
    first_weak = run_local("train-and-deploy", WEAK, workdir)
    good = run_local("train-and-deploy", {}, workdir, on_event=events.append)
    weak = run_local("train-and-deploy", WEAK, workdir)
    not_better = run_local("train-and-deploy", {"seed": "1"}, workdir)
    return {"first_weak": first_weak, "good": good, "weak": weak, "not_better": not_better,
            "events": events, "workdir": workdir}


def _client(workdir):
    from pipelines.steps import registry

    return registry.client(f"sqlite:///{workdir / 'mlflow.db'}")


def _versions(workdir):
    return sorted(str(v.version) for v in _client(workdir).search_model_versions("name='digits-mlp'"))


def test_weak_model_in_a_fresh_workdir_fails_and_no_champion_exists(runs):
    weak = runs["first_weak"]
    assert not weak.succeeded
    assert weak.outcome[0] == "rejected"
    assert "misses the quality floor 0.9" in weak.outcome[1]
    assert weak.steps["reject-candidate"] == "failed"
    assert weak.champion_before is weak.champion_after is None
    assert weak.serving_after is None and weak.registered_version is None


def test_good_model_becomes_champion_after_its_endpoint_test(runs):
    good = runs["good"]
    assert good.succeeded, good.error
    assert good.metrics["accuracy"] >= 0.9
    assert good.outcome[0] == "promoted"
    assert good.champion_before is None
    assert good.champion_after == good.registered_version == good.serving_after == "1"
    assert good.steps["reject-candidate"] == "skipped"
    assert all(status == "succeeded" for step, status in good.steps.items()
               if step != "reject-candidate")
    assert good.endpoint["endpoint_accuracy"] >= 0.9
    assert good.endpoint["golden_rows"] == 100
    assert good.deploy["service"] == "digits-mlp-challenger"
    assert good.deploy["errors"] == []
    assert _client(runs["workdir"]).get_registered_model("digits-mlp").aliases == {"champion": 1}


def test_registered_uri_is_the_one_the_inference_services_load(runs):
    good, workdir = runs["good"], runs["workdir"]
    assert good.storage_uri.startswith(f"pvc://{MODELS_CLAIM}/digits-mlp/")
    version = _client(workdir).get_model_version("digits-mlp", "1")
    assert version.source == good.storage_uri
    for name in ("digits-mlp-challenger", "digits-mlp"):
        manifest = json.loads((workdir / "serving" / "kfstack-serving" / f"{name}.json").read_text())
        assert manifest["spec"]["predictor"]["model"]["storageUri"] == good.storage_uri
    path = good.storage_uri.removeprefix(f"pvc://{MODELS_CLAIM}/")
    assert (workdir / "volumes" / MODELS_CLAIM / path / "model.joblib").is_file()


def test_registered_version_carries_dataset_code_version_and_typed_params(runs):
    client = _client(runs["workdir"])
    version = client.get_model_version("digits-mlp", "1")
    assert version.tags["kfstack.dataset_version"].startswith("sha256:")
    assert len(version.tags["kfstack.code_version"].removesuffix("-dirty")) == 40
    params = json.loads(version.tags["kfstack.params"])
    assert params["max_iter"] == {"value": 200, "type": "int"}
    assert params["learning_rate_init"] == {"value": 0.001, "type": "float"}
    assert params["hidden_layers"] == {"value": "256,64", "type": "str"}
    run = client.get_run(version.run_id)
    contexts = {tag.value for inp in run.inputs.dataset_inputs for tag in inp.tags
                if tag.key == "mlflow.data.context"}
    assert contexts == {"training", "evaluation"}
    assert run.data.params["max_iter"] == "200"


def test_progress_events_cover_every_step_that_ran_in_order(runs):
    started = [e.step for e in runs["events"] if e.status == "running"]
    assert started == [s for s, status in runs["good"].steps.items() if status != "skipped"]
    assert all(e.seconds > 0 for e in runs["events"] if e.status == "succeeded")


def test_second_weak_model_leaves_the_champion_in_place_and_serving(runs):
    weak = runs["weak"]
    assert not weak.succeeded
    assert weak.outcome[0] == "rejected"
    assert weak.metrics["accuracy"] < 0.5
    assert weak.champion_before == weak.champion_after == "1"
    assert weak.serving_before == weak.serving_after == "1"
    assert weak.steps["register-challenger"] == weak.steps["promote"] == "not run"
    assert _versions(runs["workdir"]) == ["1"]


def test_candidate_above_the_floor_that_does_not_beat_the_champion_is_kept_out(runs):
    run = runs["not_better"]
    assert run.succeeded, run.error  # a scheduled retrain that changes nothing is not a failure
    assert run.outcome[0] == "kept"
    assert run.comparison["below_floor"] is False and run.comparison["promote"] is False
    assert run.comparison["compared_rows"] > 0
    assert run.champion_after == run.serving_after == "1"
    assert run.steps["register-challenger"] == "skipped"


def test_candidate_failing_its_endpoint_test_is_not_champion(tmp_path):
    # Passes the floor (accuracy ~0.98) but the golden set demands every row right.
    result = run_local("train-and-deploy", {"min_endpoint_accuracy": "1.0"}, tmp_path)
    assert not result.succeeded
    assert result.comparison["promote"] is True
    assert result.registered_version == "1"
    assert result.steps["integration-test"] == "failed"
    assert result.steps["promote"] == "not run"
    assert result.outcome[0] == "failed" and "endpoint test" in result.outcome[1]
    assert result.champion_after is None and result.serving_after is None
    aliases = _client(tmp_path).get_registered_model("digits-mlp").aliases
    assert aliases == {"challenger": 1}


def test_manifest_with_a_storage_uri_the_endpoint_cannot_load_fails_the_run(tmp_path):
    # The step writes through its mount, but the URI names a claim the predictor does not get.
    mount = local_target(tmp_path).models_volume
    wrong = local_target(tmp_path).__class__(
        gpu=None, models_volume=VolumeMount("other-claim", mount.mount_path),
        local_apply_dir=str(tmp_path / "serving"))
    result = run_local("train-and-deploy", {}, tmp_path, target=wrong)
    assert not result.succeeded
    assert result.storage_uri.startswith("pvc://other-claim/")
    assert result.steps["integration-test"] == "failed"
    assert any("no claim 'other-claim'" in line for line in result.failed_step_output)
    assert result.champion_after is None and result.serving_after is None


def test_bad_parameters_fail_before_any_step(tmp_path):
    events = []
    with pytest.raises(ParameterError, match="threshold must be between 0 and 1"):
        run_local("train-and-deploy", {"min_endpoint_accuracy": "2"}, tmp_path,
                  on_event=events.append)
    assert events == []
    assert not (tmp_path / "runs").exists()
