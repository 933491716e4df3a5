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


def _on(**fields: Any) -> dict[str, Any]:
    return determined(initialUserPassword=PASSWORD, **fields)


def test_a_gateway_hostname_requires_determineds_own_hostname(problems) -> None:
    found = problems(components=_on(), nodePools={"gpu": GPU_POOL}, gateway={"hostname": "kf.example.com"})
    assert list(found) == [f"{KEY}.hostname"]
    assert found[f"{KEY}.hostname"].startswith("required when kfstack:gateway.hostname is set")
    ok = problems(
        components=_on(hostname="det.example.com"),
        nodePools={"gpu": GPU_POOL},
        gateway={"hostname": "kf.example.com"},
    )
    assert ok == {}


def test_determineds_hostname_must_differ_from_the_gateways(problems) -> None:
    found = problems(
        components=_on(hostname="kf.example.com"),
        nodePools={"gpu": GPU_POOL},
        gateway={"hostname": "kf.example.com"},
    )
    assert list(found) == [f"{KEY}.hostname"]
    assert "must differ from kfstack:gateway.hostname" in found[f"{KEY}.hostname"]


def test_a_hostname_that_is_no_dns_name_is_rejected(problems) -> None:
    found = problems(components=_on(hostname="not a host"), nodePools={"gpu": GPU_POOL})
    assert list(found) == [f"{KEY}.hostname"]


def test_an_existing_gateway_secret_requires_determineds_own_secret_and_only_then(problems) -> None:
    existing = {"hostname": "kf.example.com", "tls": {"mode": "existingSecret", "secretName": "kf-tls"}}
    found = problems(
        components=_on(hostname="det.example.com"), nodePools={"gpu": GPU_POOL}, gateway=existing
    )
    assert list(found) == [f"{KEY}.tlsSecretName"]
    assert "required when kfstack:gateway.tls.mode is 'existingSecret'" in found[f"{KEY}.tlsSecretName"]
    with_secret = _on(hostname="det.example.com", tlsSecretName="det-tls")
    assert problems(components=with_secret, nodePools={"gpu": GPU_POOL}, gateway=existing) == {}
    found = problems(components=_on(tlsSecretName="det-tls"), nodePools={"gpu": GPU_POOL})
    assert list(found) == [f"{KEY}.tlsSecretName"]
    assert "only used when kfstack:gateway.tls.mode is 'existingSecret'" in found[f"{KEY}.tlsSecretName"]


def test_determined_needs_istio_dex_and_oauth2_proxy(problems) -> None:
    for dependency in ("oauth2Proxy", "dex", "istio"):
        found = problems(components={**_on(), dependency: {"enabled": False}}, nodePools={"gpu": GPU_POOL})
        message = found[f"kfstack:components.{dependency}.enabled"]
        assert "determined" in message.split(":")[0], message
