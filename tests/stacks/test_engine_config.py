"""Engine mode: structure from the stack file, decrypted secrets from the engine's config."""

import json
from pathlib import Path

import pytest
from pulumi.runtime import config as pulumi_config
from pulumi.runtime import settings as pulumi_settings

from stacks.engine_config import load_engine_environment

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def engine_stack():
    def _configure(stack: str, config: dict[str, str], secret_keys: list[str]) -> None:
        pulumi_settings.reset_options(project="kfstack", stack=stack, root_directory=str(REPO))
        pulumi_config.set_all_config(config, secret_keys)

    yield _configure
    pulumi_config.set_all_config({}, [])
    pulumi_settings.reset_options()


def test_decrypted_secrets_are_filled_from_engine_config(engine_stack) -> None:
    decrypted = {"oauth2Proxy": {"cookieSecret": "s3cr3t-cookie", "clientSecret": "s3cr3t-client"}}
    engine_stack("prod", {"kfstack:auth": json.dumps(decrypted), "kfstack:tier": "prod"}, ["kfstack:auth"])
    stack, config = load_engine_environment()
    assert stack == "prod"
    cookie = config.auth.oauth2_proxy.cookie_secret
    assert cookie is not None and cookie.plaintext == "s3cr3t-cookie"
    assert "s3cr3t" not in repr(config)


def test_missing_engine_value_leaves_secret_unknown(engine_stack) -> None:
    engine_stack("dev", {}, [])
    _, config = load_engine_environment()
    assert config.auth.oauth2_proxy.cookie_secret is not None
    assert config.auth.oauth2_proxy.cookie_secret.plaintext is None


def test_undecrypted_secret_is_an_error_outside_the_mock_runtime() -> None:
    from stacks.config.secrets import SecretRef

    with pytest.raises(RuntimeError, match="not decrypted"):
        SecretRef("v1:abc").as_output()


def test_undecrypted_secret_is_a_redacted_placeholder_in_plans(record) -> None:
    import pulumi_kubernetes as k8s

    from stacks.config.secrets import SecretRef

    def program() -> None:
        k8s.core.v1.Secret("s", metadata={"name": "s"}, string_data={"k": SecretRef("v1:abc").as_output()})

    (secret,) = record(program).resources
    # the Kubernetes SDK marks all of stringData secret once one value is
    assert secret.inputs["stringData"] == "[secret]"
    assert "offline-placeholder" not in repr(secret.inputs)
