"""`kfstack:gateway`: hostname, exposure and TLS mode, each problem at its key path."""

from __future__ import annotations

EKS = {
    "kind": "eks",
    "kubernetesVersion": "1.34",
    "eks": {"region": "us-west-2", "availabilityZones": ["us-west-2a", "us-west-2b"], "runnerInVpc": True},
}
POOLS = {"system": {"instanceTypes": ["m6i.large"], "minSize": 1, "desiredSize": 1, "maxSize": 2}}


def test_acme_needs_an_email(problems) -> None:
    found = problems(
        cluster=EKS, nodePools=POOLS, gateway={"loadBalancer": "internetFacing", "tls": {"mode": "acme"}}
    )
    assert found == {"kfstack:gateway.tls.acmeEmail": "required when mode is 'acme'"}


def test_acme_needs_an_internet_facing_load_balancer(problems) -> None:
    tls = {"mode": "acme", "acmeEmail": "ops@example.com"}
    found = problems(cluster=EKS, nodePools=POOLS, gateway={"loadBalancer": "internal", "tls": tls})
    assert found == {
        "kfstack:gateway.tls.mode": "ACME HTTP-01 needs loadBalancer: internetFacing (the CA must reach the "
        "gateway); use mode: existingSecret behind an internal load balancer"
    }
    assert (
        problems(cluster=EKS, nodePools=POOLS, gateway={"loadBalancer": "internetFacing", "tls": tls}) == {}
    )


def test_an_existing_secret_needs_its_name_and_only_then(problems) -> None:
    assert problems(gateway={"tls": {"mode": "existingSecret"}}) == {
        "kfstack:gateway.tls.secretName": "required when mode is 'existingSecret'"
    }
    assert problems(gateway={"tls": {"secretName": "gw"}}) == {
        "kfstack:gateway.tls.secretName": "only used when mode is 'existingSecret' (mode is 'selfSigned')"
    }


def test_hostname_must_be_a_dns_name(problems) -> None:
    found = problems(gateway={"hostname": "Kubeflow_Dev"})
    assert list(found) == ["kfstack:gateway.hostname"]
    assert problems(gateway={"hostname": "kubeflow.dev.example.com"}) == {}
