"""`kfstack:stateBackend`: bucket name, region and KMS key checked at their key paths; not for local."""

from __future__ import annotations

import pytest

from stacks.config.state_backend import bucket_name_problem

EKS = {
    "kind": "eks",
    "kubernetesVersion": "1.34",
    "eks": {"region": "us-west-2", "availabilityZones": ["us-west-2a", "us-west-2b"], "runnerInVpc": True},
}
# staging: no login rules depend on the backend; the minimal staging env needs its gateway and auth off
STAGING = {
    "tier": "staging",
    "cluster": EKS,
    "components": {"release": "26.03", "istio": {"enabled": False}, "dex": {"enabled": False},
                   "oauth2Proxy": {"enabled": False}},
}
KEY = "arn:aws:kms:us-west-2:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"


@pytest.mark.parametrize(
    "name", ["ab", "Upper-case", "under_score", "-leading", "trailing-", "a..b", "192.168.1.1", "xn--bucket", "x" * 64]
)
def test_bad_bucket_names(name: str) -> None:
    assert bucket_name_problem(name) is not None


@pytest.mark.parametrize("name", ["kfstack-state-dev-123456789012", "acme.pulumi.state", "abc"])
def test_good_bucket_names(name: str) -> None:
    assert bucket_name_problem(name) is None


def test_local_has_no_state_backend_section(problems) -> None:
    assert problems(stateBackend={"bucket": "acme-state"}) == {
        "kfstack:stateBackend": "local keeps its state in the repository (file backend); remove this section"
    }


def test_each_bad_value_at_its_key(problems) -> None:
    found = problems(
        **STAGING,
        stateBackend={"bucket": "Bad_Name", "region": "oregon", "kmsKeyArn": "alias/x", "secretsProvider": "awskms"},
    )
    stateful = {k: v for k, v in found.items() if k.startswith("kfstack:stateBackend")}
    assert set(stateful) == {
        "kfstack:stateBackend.bucket",
        "kfstack:stateBackend.region",
        "kfstack:stateBackend.kmsKeyArn",
    }
    assert stateful["kfstack:stateBackend.bucket"].startswith("not a valid S3 bucket name")


def test_awskms_needs_the_key(problems) -> None:
    found = problems(**STAGING, stateBackend={"secretsProvider": "awskms"})
    assert found.get("kfstack:stateBackend.secretsProvider") == "awskms needs kmsKeyArn (the key that encrypts the secrets)"
    found = problems(**STAGING, stateBackend={"secretsProvider": "awskms", "kmsKeyArn": KEY})
    assert not {k for k in found if k.startswith("kfstack:stateBackend")}


def test_days_out_of_range(problems) -> None:
    found = problems(**STAGING, stateBackend={"noncurrentVersionDays": 0})
    assert "kfstack:stateBackend.noncurrentVersionDays" in found
