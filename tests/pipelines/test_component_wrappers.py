"""Component bodies called directly (no kfp.local): the wrappers move artifacts correctly."""

import json
from datetime import date, timedelta

import pytest
from kfp import dsl

from pipelines import components as c
from pipelines.steps import data


def test_ingest_window_component_keeps_the_window_and_records_it(tmp_path):
    rows = ["timestamp,a,b,target"] + [
        f"{date(2026, 1, 1) + timedelta(days=i)},{i},{i % 3},{i % 2}" for i in range(100)]
    (tmp_path / "d.csv").write_text("\n".join(rows) + "\n")
    dataset = dsl.Dataset(uri=str(tmp_path / "dataset"))
    golden = dsl.Dataset(uri=str(tmp_path / "golden"))
    c.ingest_window.python_func(
        dataset_uri=str(tmp_path / "d.csv"), window_days=40, window_end="2026-04-10",
        test_size=0.25, golden_set_size=5, dataset=dataset, golden_set=golden)
    assert dataset.metadata["rows"] == 40
    assert dataset.metadata["dataset_version"].startswith("sha256:")
    assert "40 rows between 2026-03-01" in dataset.metadata["window"]
    splits = data.load_splits(dataset.path)
    assert splits["x_train"][:, 0].min() >= 59  # day 59 = 2026-03-01 (excluded) onwards
    assert golden.metadata["rows"] == 5


def test_deploy_dry_run_writes_the_challenger_manifest_where_the_local_endpoint_reads(tmp_path):
    manifest = dsl.Artifact(uri=str(tmp_path / "manifest"))
    url, service = c.deploy.python_func(
        model_name="digits-mlp", model_version="4", storage_uri="pvc://models/digits-mlp/r4",
        namespace="ns", protocol="v2", dry_run=True, endpoint_url="http://127.0.0.1:1",
        service_account="kfstack-model-server", deployment_mode="Standard",
        local_apply_dir=str(tmp_path / "serving"), rollout_timeout_seconds=60, manifest=manifest)
    assert (url, service) == ("http://127.0.0.1:1", "digits-mlp-challenger")
    assert manifest.metadata["dry_run"] is True
    assert manifest.metadata["errors"] == []
    written = json.loads((tmp_path / "manifest").read_text())
    assert written["metadata"]["name"] == "digits-mlp-challenger"
    assert written["spec"]["predictor"]["model"]["protocolVersion"] == "v2"
    assert written["spec"]["predictor"]["serviceAccountName"] == "kfstack-model-server"
    applied = tmp_path / "serving" / "ns" / "digits-mlp-challenger.json"
    assert json.loads(applied.read_text()) == written


def test_deploy_refuses_a_storage_uri_kserve_cannot_load(tmp_path):
    manifest = dsl.Artifact(uri=str(tmp_path / "manifest"))
    with pytest.raises(ValueError, match="storageUri"):
        c.deploy.python_func(
            model_name="digits-mlp", model_version="4", storage_uri="mlflow-artifacts:/1/x",
            namespace="ns", protocol="v1", dry_run=True, endpoint_url="",
            service_account="", deployment_mode="Standard", local_apply_dir=str(tmp_path / "s"),
            rollout_timeout_seconds=60, manifest=manifest)
    assert not (tmp_path / "s").exists()
