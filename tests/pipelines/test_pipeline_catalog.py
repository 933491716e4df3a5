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
def test_train_step_ir_carries_accelerator_toleration_and_node_selector(name):
    spec, platform = _ir(name)
    train = spec["deploymentSpec"]["executors"]["exec-train"]["container"]
    assert train["resources"]["accelerator"]["resourceType"] == "nvidia.com/gpu"
    assert train["resources"]["accelerator"]["resourceCount"] == "1"
    executors = platform["platforms"]["kubernetes"]["deploymentSpec"]["executors"]
    assert executors["exec-train"]["tolerations"] == [
        {"effect": "NoSchedule", "key": "nvidia.com/gpu", "operator": "Exists"}]
    assert executors["exec-train"]["nodeSelector"] == {
        "labels": {"nvidia.com/gpu.present": "true"}}
    assert "accelerator" not in spec["deploymentSpec"]["executors"]["exec-evaluate"][
        "container"].get("resources", {})


def test_target_sets_gpu_volumes_and_registry_defaults():
    target = PipelineTarget(
        gpu=GpuPlacement(accelerator_limit=2, node_selector={"pool": "a10g"},
                         tolerations=(Toleration("dedicated", "Equal", "NoSchedule", "gpu"),)),
        data_volume=VolumeMount("kfstack-data", "/mnt/data"),
        models_volume=VolumeMount("kfstack-models", "/mnt/models"),
        registry_uri="http://mlflow.example:5000",
        serving_namespace="team-a",
    )
    spec, platform = _ir("train-and-deploy", target)
    executors = platform["platforms"]["kubernetes"]["deploymentSpec"]["executors"]
    assert executors["exec-ingest"]["pvcMount"][0]["mountPath"] == "/mnt/data"
    assert executors["exec-ingest"]["pvcMount"][0]["pvcNameParameter"]["runtimeValue"][
        "constant"] == "kfstack-data"
    assert executors["exec-train"]["pvcMount"][0]["mountPath"] == "/mnt/models"
    assert executors["exec-train"]["nodeSelector"] == {"labels": {"pool": "a10g"}}
    assert executors["exec-train"]["tolerations"][0]["value"] == "gpu"
    accelerator = spec["deploymentSpec"]["executors"]["exec-train"]["container"]["resources"][
        "accelerator"]
    assert accelerator["resourceCount"] == "2"
    inputs = spec["root"]["inputDefinitions"]["parameters"]
    assert inputs["registry_uri"]["defaultValue"] == "http://mlflow.example:5000"
    assert inputs["serving_namespace"]["defaultValue"] == "team-a"


def test_no_gpu_target_compiles_without_kubernetes_platform_config():
    spec, platform = _ir("train-and-deploy", PipelineTarget(gpu=None))
    assert platform == {}
    assert "resources" not in spec["deploymentSpec"]["executors"]["exec-train"]["container"]


def test_deploy_and_test_run_only_when_the_candidate_wins():
    spec, _ = _ir("train-and-deploy")
    condition = spec["root"]["dag"]["tasks"]["condition-1"]
    assert "compare-with-champion" in condition["dependentTasks"]
    assert condition["triggerPolicy"]["condition"] == (
        "inputs.parameter_values['pipelinechannel--compare-with-champion-Output'] == true")
    branch = spec["components"]["comp-condition-1"]["dag"]["tasks"]
    assert set(branch) == {"register-and-promote", "deploy", "integration-test"}


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
