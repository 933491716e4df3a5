import pytest

from pipelines.placement import DEFAULT_TARGET, GpuPlacement, PipelineTarget, Toleration, VolumeMount


def test_default_gpu_placement_matches_the_gpu_pool_contract():
    gpu = GpuPlacement()
    assert gpu.accelerator_type == "nvidia.com/gpu"
    assert gpu.accelerator_limit == 1
    assert gpu.node_selector == {"nvidia.com/gpu.present": "true"}
    assert gpu.tolerations == (Toleration("nvidia.com/gpu", "Exists", "NoSchedule"),)


def test_default_target_stores_models_on_the_models_claim():
    assert DEFAULT_TARGET.gpu == GpuPlacement()
    assert DEFAULT_TARGET.data_volume is None
    assert DEFAULT_TARGET.models_volume == VolumeMount("models", "/mnt/models")
    assert DEFAULT_TARGET.store_uri == "pvc://models"
    assert DEFAULT_TARGET.store_mount == DEFAULT_TARGET.models_volume


def test_s3_store_needs_no_mount():
    target = PipelineTarget(model_store_uri="s3://bucket/mlflow/models")
    assert target.store_uri == "s3://bucket/mlflow/models"
    assert target.store_mount is None


def test_no_model_store_is_an_error():
    with pytest.raises(ValueError, match="no model store"):
        _ = PipelineTarget(models_volume=None).store_uri


def test_zero_accelerators_are_rejected():
    with pytest.raises(ValueError, match="accelerator_limit"):
        GpuPlacement(accelerator_limit=0)


def test_relative_mount_path_is_rejected():
    with pytest.raises(ValueError, match="absolute"):
        VolumeMount("data", "mnt/data")
