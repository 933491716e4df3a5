import pytest

from pipelines.placement import DEFAULT_TARGET, GpuPlacement, Toleration, VolumeMount


def test_default_gpu_placement_matches_the_gpu_pool_contract():
    gpu = GpuPlacement()
    assert gpu.accelerator_type == "nvidia.com/gpu"
    assert gpu.accelerator_limit == 1
    assert gpu.node_selector == {"nvidia.com/gpu.present": "true"}
    assert gpu.tolerations == (Toleration("nvidia.com/gpu", "Exists", "NoSchedule"),)


def test_default_target_places_training_on_gpu_without_volumes():
    assert DEFAULT_TARGET.gpu == GpuPlacement()
    assert DEFAULT_TARGET.data_volume is None
    assert DEFAULT_TARGET.models_volume is None


def test_zero_accelerators_are_rejected():
    with pytest.raises(ValueError, match="accelerator_limit"):
        GpuPlacement(accelerator_limit=0)


def test_relative_mount_path_is_rejected():
    with pytest.raises(ValueError, match="absolute"):
        VolumeMount("data", "mnt/data")
