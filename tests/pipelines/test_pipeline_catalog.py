import hashlib
import os
import subprocess
import sys

import pytest
import yaml

from pipelines.catalog import (
    UnknownPipelineError,
    compile_pipeline,
    get_pipeline,
    list_pipelines,
    pipeline_names,
)
from pipelines.placement import GpuPlacement, PipelineTarget, Toleration, VolumeMount


def test_catalog_lists_both_reference_pipelines():
    infos = {info.name: info for info in list_pipelines()}
    assert list(infos) == pipeline_names() == ["train-and-deploy", "retrain"]
    assert infos["train-and-deploy"].default_parameters["dataset_uri"] == "sklearn://digits"
    assert infos["train-and-deploy"].default_parameters["hidden_layers"] == "256,64"
    assert infos["retrain"].default_parameters["window_days"] == 30
    assert infos["retrain"].steps[0] == "ingest-window"


def test_unknown_pipeline_error_lists_known_names():
    with pytest.raises(UnknownPipelineError, match="train-and-deploy, retrain"):
        get_pipeline("nope")


@pytest.mark.parametrize("name", ["train-and-deploy", "retrain"])
def test_compile_is_byte_identical_in_process(name):
    assert compile_pipeline(name) == compile_pipeline(name)


def test_compile_is_byte_identical_across_processes():
    code = ("import hashlib, sys; from pipelines.catalog import compile_pipeline; "
            "sys.stdout.write(hashlib.sha256(compile_pipeline('train-and-deploy').encode())"
            ".hexdigest())")
    digests = {
        subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True,
                       env={**os.environ, "PYTHONHASHSEED": seed}).stdout
        for seed in ("1", "2")
    }
    assert digests == {hashlib.sha256(compile_pipeline("train-and-deploy").encode()).hexdigest()}


def _ir(name, target=None):
    documents = list(yaml.safe_load_all(compile_pipeline(name, target)))
    return documents[0], (documents[1] if len(documents) > 1 else {})


@pytest.mark.parametrize("name", ["train-and-deploy", "retrain"])
def test_no_step_requests_a_gpu_or_sits_on_the_gpu_pool(name):
    """scikit-learn trains on CPU: no reference step asks for an accelerator."""
    spec, platform = _ir(name)
    for executor in spec["deploymentSpec"]["executors"].values():
        assert "accelerator" not in executor["container"].get("resources", {})
    for executor in platform.get("platforms", {}).get("kubernetes", {}).get(
            "deploymentSpec", {}).get("executors", {}).values():
        assert "tolerations" not in executor and "nodeSelector" not in executor


def _mounts(platform):
    executors = platform["platforms"]["kubernetes"]["deploymentSpec"]["executors"]
    return {name: [(m["mountPath"], m["pvcNameParameter"]["runtimeValue"]["constant"])
                   for m in executor.get("pvcMount", [])] for name, executor in executors.items()}


def test_only_the_steps_that_read_or_write_models_mount_the_models_claim():
    target = PipelineTarget(
        gpu=GpuPlacement(accelerator_limit=2, node_selector={"pool": "a10g"},
                         tolerations=(Toleration("dedicated", "Equal", "NoSchedule", "gpu"),)),
        data_volume=VolumeMount("kfstack-data", "/mnt/data"),
        models_volume=VolumeMount("kfstack-models", "/mnt/models"),
        registry_uri="http://mlflow.example:5000",
        serving_namespace="team-a",
    )
    spec, platform = _ir("train-and-deploy", target)
    assert _mounts(platform) == {
        "exec-fingerprint-dataset": [("/mnt/data", "kfstack-data")],
        "exec-ingest": [("/mnt/data", "kfstack-data")],
        "exec-compare-with-champion": [("/mnt/models", "kfstack-models")],
        "exec-register-challenger": [("/mnt/models", "kfstack-models")],
    }
    register = next(c for c in spec["components"].values() if "register-challenger" in
                    c.get("dag", {}).get("tasks", {}))["dag"]["tasks"]["register-challenger"]
    constants = register["inputs"]["parameters"]
    assert constants["model_store_uri"]["runtimeValue"]["constant"] == "pvc://kfstack-models"
    assert constants["models_mount_path"]["runtimeValue"]["constant"] == "/mnt/models"
    inputs = spec["root"]["inputDefinitions"]["parameters"]
    assert inputs["registry_uri"]["defaultValue"] == "http://mlflow.example:5000"
    assert inputs["serving_namespace"]["defaultValue"] == "team-a"
    assert inputs["quality_floor"]["defaultValue"] == 0.9


def test_s3_model_store_mounts_no_models_claim():
    _, platform = _ir("train-and-deploy", PipelineTarget(
        gpu=None, model_store_uri="s3://kfstack-artifacts/mlflow/models"))
    assert platform == {}
    assert "s3://kfstack-artifacts/mlflow/models" in compile_pipeline(
        "train-and-deploy", PipelineTarget(gpu=None, model_store_uri="s3://kfstack-artifacts/mlflow/models"))


def test_ingest_is_keyed_on_the_datas_version():
    spec, _ = _ir("train-and-deploy")
    tasks = spec["root"]["dag"]["tasks"]
    assert tasks["fingerprint-dataset"]["cachingOptions"] == {}
    source = tasks["ingest"]["inputs"]["parameters"]["source_version"]
    assert source["taskOutputParameter"]["producerTask"] == "fingerprint-dataset"
    assert tasks["ingest"]["cachingOptions"] == {"enableCache": True}


def test_promotion_runs_only_after_the_challengers_endpoint_test():
    spec, _ = _ir("train-and-deploy")
    tasks = spec["root"]["dag"]["tasks"]
    wins = next(t for t in tasks.values() if t.get("triggerPolicy", {}).get("condition", "").endswith(
        "compare-with-champion-promote'] == true"))
    floor = next(t for t in tasks.values() if t.get("triggerPolicy", {}).get("condition", "").endswith(
        "compare-with-champion-below_floor'] == true"))
    branch = spec["components"][wins["componentRef"]["name"]]["dag"]["tasks"]
    assert set(branch) == {"register-challenger", "deploy", "integration-test", "promote"}
    assert "integration-test" in branch["promote"]["dependentTasks"]
    assert set(spec["components"][floor["componentRef"]["name"]]["dag"]["tasks"]) == {"reject-candidate"}


def test_components_do_not_pip_install_at_run_time():
    spec, _ = _ir("train-and-deploy")
    for executor in spec["deploymentSpec"]["executors"].values():
        assert "pip install" not in " ".join(executor["container"]["command"])


DIGEST_IMAGE = "ghcr.io/kfstack/pipelines-runtime:0.2.0@sha256:" + "0123456789abcdef" * 4


@pytest.mark.parametrize("name", ["train-and-deploy", "retrain"])
def test_every_step_runs_the_configured_image_by_digest_and_the_default_otherwise(name):
    from pipelines.components import RUNTIME_IMAGE

    default, _ = _ir(name)
    pinned, _ = _ir(name, PipelineTarget(runtime_image=DIGEST_IMAGE))
    default_images = {e["container"]["image"] for e in default["deploymentSpec"]["executors"].values()}
    pinned_images = {e["container"]["image"] for e in pinned["deploymentSpec"]["executors"].values()}
    assert default_images == {RUNTIME_IMAGE}
    assert pinned_images == {DIGEST_IMAGE}
    assert set(pinned["deploymentSpec"]["executors"]) == set(default["deploymentSpec"]["executors"])
    # building again for the default target is unaffected by the pinned build
    assert _ir(name)[0] == default
