from stacks.config.loader import load_environment, read_stack_file, resolve_environment_file
from stacks.config.secrets import REDACTED, SecretRef


def test_prod_must_protect_stateful_resources(problems) -> None:
    found = problems(
        tier="prod", components={"dex": {"enabled": False}, "kubeflowPipelines": {"enabled": False}}
    )
    assert found == {
        "kfstack:protectStatefulResources": "prod must protect stateful resources (cluster, volumes, file systems, buckets)"
    }


def test_outside_local_dex_needs_a_cookie_secret(problems) -> None:
    found = problems(tier="dev")
    assert found == {"kfstack:auth.oauth2Proxy.cookieSecret": "required (as a secret) in dev"}


def test_gpu_pool_reference_must_be_a_gpu_pool(problems) -> None:
    pools = {"cpu": {"instanceTypes": ["m6i.large"], "maxSize": 2}}
    assert problems(nodePools=pools, pipelines={"gpuPool": "gpu"}) == {
        "kfstack:pipelines.gpuPool": "unknown node pool; defined: cpu"
    }
    assert problems(nodePools=pools, pipelines={"gpuPool": "cpu"}) == {
        "kfstack:pipelines.gpuPool": "must name a pool with gpu: true"
    }


def test_secure_values_become_secret_refs_and_never_print() -> None:
    _, config = load_environment("prod")
    cookie = config.auth.oauth2_proxy.cookie_secret
    assert isinstance(cookie, SecretRef)
    assert str(cookie) == REDACTED
    decrypted = SecretRef("v1:abc", plaintext="hunter2")
    assert "hunter2" not in repr(decrypted) and "hunter2" not in str(decrypted)
    dumped = config.model_dump(mode="json", by_alias=True)
    assert dumped["auth"]["oauth2Proxy"]["cookieSecret"] == REDACTED


def test_other_namespaces_are_kept_apart(tmp_path) -> None:
    path = tmp_path / "Pulumi.x.yaml"
    path.write_text("config:\n  aws:region: us-west-2\n  kfstack:tier: local\n")
    raw = read_stack_file(path)
    assert raw.values == {"tier": "local"}
    assert raw.other == {"aws:region": "us-west-2"}
    assert raw.lines["kfstack:tier"] == 3


def test_environment_by_name_or_path(tmp_path) -> None:
    assert resolve_environment_file("dev").name == "Pulumi.dev.yaml"
    path = tmp_path / "Pulumi.custom.yaml"
    path.write_text("config: {}\n")
    assert resolve_environment_file(str(path)) == path
