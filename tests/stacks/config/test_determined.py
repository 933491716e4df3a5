"""`kfstack:components.determined`: off by default; when on it needs a GPU pool and an initial password
given as a secret, each problem at its key path."""

from __future__ import annotations

from typing import Any

from stacks.config.secrets import SecretRef

PASSWORD = SecretRef("v1:determined-password")
GPU_POOL = {
    "gpu": True,
    "instanceTypes": ["g5.xlarge"],
    "labels": {"kfstack.io/pool": "gpu"},
    "taints": [{"key": "nvidia.com/gpu", "effect": "NoSchedule"}],
}
KEY = "kfstack:components.determined"


def determined(**fields: Any) -> dict[str, Any]:
    return {"determined": {"enabled": True, **fields}}


def test_determined_without_a_gpu_node_pool_is_rejected(problems) -> None:
    found = problems(components=determined(initialUserPassword=PASSWORD))
    assert list(found) == [f"{KEY}.enabled"]
    assert "needs a GPU node pool (nodePools.<name>.gpu: true)" in found[f"{KEY}.enabled"]


def test_determined_without_an_initial_user_password_is_rejected(problems) -> None:
    found = problems(components=determined(), nodePools={"gpu": GPU_POOL})
    assert list(found) == [f"{KEY}.initialUserPassword"]
    assert found[f"{KEY}.initialUserPassword"].startswith("required (as a secret)")


def test_a_plain_text_initial_user_password_is_rejected(problems) -> None:
    found = problems(components=determined(initialUserPassword="Passw0rdX"), nodePools={"gpu": GPU_POOL})
    assert "plain-text value where a secret is required" in found[f"{KEY}.initialUserPassword"]


def test_a_decrypted_password_the_chart_would_refuse_is_rejected_without_showing_it(problems) -> None:
    weak = SecretRef("v1:weak", plaintext="alllowercase")
    found = problems(components=determined(initialUserPassword=weak), nodePools={"gpu": GPU_POOL})
    assert list(found) == [f"{KEY}.initialUserPassword"]
    assert "upper-case letter" in found[f"{KEY}.initialUserPassword"]
    assert "alllowercase" not in str(found)


def test_determined_with_a_gpu_pool_and_a_secret_password_is_valid(problems) -> None:
    assert problems(components=determined(initialUserPassword=PASSWORD), nodePools={"gpu": GPU_POOL}) == {}


def test_determined_off_needs_nothing(problems) -> None:
    assert problems(components={"determined": {"enabled": False}}) == {}


def test_more_than_one_slot_per_pod_with_time_sliced_gpus_is_rejected(problems) -> None:
    found = problems(
        components={
            **determined(initialUserPassword=PASSWORD, maxSlotsPerPod=4),
            "nvidiaDevicePlugin": {"timeSlicingReplicas": 4},
        },
        nodePools={"gpu": GPU_POOL},
    )
    assert list(found) == [f"{KEY}.maxSlotsPerPod"]


def test_the_database_size_must_be_a_quantity(problems) -> None:
    found = problems(
        components=determined(initialUserPassword=PASSWORD, dbStorageSize="lots"), nodePools={"gpu": GPU_POOL}
    )
    assert list(found) == [f"{KEY}.dbStorageSize"]
