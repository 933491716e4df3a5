from stacks.config.loader import load_environment, read_stack_file, resolve_environment_file
from stacks.config.secrets import REDACTED, SecretRef


def test_prod_must_protect_stateful_resources(problems) -> None:
    found = problems(tier="prod")
    assert found["kfstack:protectStatefulResources"] == (
        "prod must protect stateful resources (cluster, volumes, file systems, buckets)"
    )
    assert "kfstack:protectStatefulResources" not in problems(tier="prod", protectStatefulResources=True)


SECRET = SecretRef("v1:abc")
LOGIN = {
    "dex": {"staticUsers": [{"email": "a@example.com", "username": "a", "passwordHash": SECRET}]},
    "oauth2Proxy": {"cookieSecret": SECRET, "clientSecret": SECRET},
}
GATEWAY = {"hostname": "kubeflow.dev.example.com", "tls": {"mode": "existingSecret", "secretName": "gw-tls"}}


def test_outside_local_every_login_secret_and_a_way_to_log_in_are_required(problems) -> None:
    found = problems(tier="dev", gateway=GATEWAY)
    assert found == {
        "kfstack:auth.dex": "no way to log in: add staticUsers (bcrypt hashes as secrets) or connectors; "
        "dev has no default user",
        "kfstack:auth.oauth2Proxy.cookieSecret": "required (as a secret) in dev",
        "kfstack:auth.oauth2Proxy.clientSecret": "required (as a secret) in dev",
    }
    assert problems(tier="dev", gateway=GATEWAY, auth=LOGIN) == {}


def test_local_needs_no_login_secrets_it_generates_them(problems) -> None:
    assert problems() == {}


def test_outside_local_the_gateway_needs_a_hostname_and_a_real_certificate(problems) -> None:
    found = problems(tier="dev", auth=LOGIN)
    assert found == {
        "kfstack:gateway.hostname": "required in dev (the login redirects to it)",
        "kfstack:gateway.tls.mode": "a self-signed certificate is for local only; use acme or existingSecret "
        "in dev",
    }


def test_a_load_balancer_only_on_eks(problems) -> None:
    found = problems(gateway={"loadBalancer": "internal"})
    assert found == {
        "kfstack:gateway.loadBalancer": "only on EKS; an existing cluster's gateway is a ClusterIP Service "
        "(port-forward)"
    }


def test_an_untested_kubernetes_version_for_the_release_set_names_the_tested_ones(problems) -> None:
    cluster = {"kind": "existing", "kubernetesVersion": "1.35", "existing": {"context": "kind-kfstack"}}
    assert problems(cluster=cluster) == {
        "kfstack:cluster.kubernetesVersion": "release set 26.03 is not tested on Kubernetes 1.35; "
        "tested: 1.33, 1.34"
    }


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


def test_registered_pipelines_need_a_model_store(problems) -> None:
    pipelines = {"registered": ["train-and-deploy"], "kfp": {"endpoint": "http://localhost:8080/pipeline"}}
    found = problems(pipelines=pipelines, storage={})
    assert list(found) == ["kfstack:storage.volumes"]
    assert "define storage.volumes.models" in found["kfstack:storage.volumes"]
    models = {"volumes": {"models": {"size": "10Gi", "mountPath": "/mnt/models"}}}
    assert problems(pipelines=pipelines, storage=models) == {}
    assert problems() == {}
