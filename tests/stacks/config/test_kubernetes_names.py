"""Kubernetes name syntax at validate time: each rule with a valid and an invalid example side by side."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from stacks.config.kubernetes_names import (
    dns_label_problem,
    dns_subdomain_problem,
    label_value_problem,
    qualified_name_problem,
)

SIDE_BY_SIDE: list[tuple[Callable[[str], str | None], str, str, str]] = [
    (dns_label_problem, "kubeflow-user", "Kubeflow_User", "not a DNS-1123 label"),
    (dns_label_problem, "models-vol", "Models_Vol", "not a DNS-1123 label"),
    (dns_label_problem, "a" * 63, "a" * 64, "at most 63 characters"),
    (dns_label_problem, "team1", "-team", "not a DNS-1123 label"),
    (dns_label_problem, "team-a", "team.a", "not a DNS-1123 label"),
    (dns_subdomain_problem, "efs.example.com", "EFS", "not a DNS-1123 subdomain"),
    (dns_subdomain_problem, "gp3", "gp3..fast", "not a DNS-1123 subdomain"),
    (dns_subdomain_problem, "a" * 253, "a" * 254, "at most 253 characters"),
    (qualified_name_problem, "nvidia.com/gpu", "nvidia.com/", "not a qualified name"),
    (qualified_name_problem, "team_Name.v1", "team name", "not a qualified name"),
    (qualified_name_problem, "example.com/x", "Example.com/x", "prefix 'Example.com'"),
    (qualified_name_problem, "a/b", "a/b/c", "at most one '/'"),
    (qualified_name_problem, "x", "/x", "prefix before '/' is empty"),
    (qualified_name_problem, "a" * 63, "a" * 64, "name part at most 63"),
    (label_value_problem, "", "-x", "starting and ending with a letter or digit"),
    (label_value_problem, "A_b.c-1", "a b", "letters, digits"),
    (label_value_problem, "v" * 63, "v" * 64, "at most 63 characters"),
]


@pytest.mark.parametrize(("rule", "valid", "invalid", "reason"), SIDE_BY_SIDE)
def test_each_rule_accepts_one_and_rejects_the_other(
    rule: Callable[[str], str | None], valid: str, invalid: str, reason: str
) -> None:
    assert rule(valid) is None
    why = rule(invalid)
    assert why is not None and reason in why, why


def test_config_names_are_checked_with_their_key_paths(problems) -> None:
    found = problems(
        pipelines={"namespace": "Kubeflow_User"},
        storage={
            "volumes": {"Models_Vol": {"size": "10Gi", "mountPath": "/mnt/models", "namespace": "Team_A"}}
        },
        nodePools={
            "cpu": {
                "instanceTypes": ["m6i.large"],
                "labels": {"team name": "a", "tier": "-bad"},
                "taints": [{"key": "dedicated/", "value": "x y"}],
            }
        },
    )
    assert "not a DNS-1123 label" in found["kfstack:pipelines.namespace"]
    assert "the volume's name is its PVC's" in found["kfstack:storage.volumes.Models_Vol"]
    assert "not a DNS-1123 label" in found["kfstack:storage.volumes.Models_Vol.namespace"]
    assert found["kfstack:nodePools.cpu.labels.team name"].startswith("label key: not a qualified name")
    assert found["kfstack:nodePools.cpu.labels.tier"].startswith("label value:")
    assert found["kfstack:nodePools.cpu.taints[0].key"].startswith("taint key:")
    assert found["kfstack:nodePools.cpu.taints[0].value"].startswith("taint value:")


def test_valid_names_pass(problems) -> None:
    found = problems(
        storage={"volumes": {"models": {"size": "10Gi", "mountPath": "/mnt/models"}}},
        nodePools={
            "cpu": {
                "instanceTypes": ["m6i.large"],
                "labels": {"example.com/team": "team_a.v1"},
                "taints": [{"key": "dedicated", "value": "ml"}],
            }
        },
    )
    assert not any(
        p.startswith(("kfstack:storage", "kfstack:nodePools.cpu.labels", "kfstack:nodePools.cpu.taints"))
        for p in found
    ), found


def test_pool_names_are_label_values_and_kfstack_pool_label_cannot_be_overridden(problems) -> None:
    pool = {"instanceTypes": ["m6i.large"]}
    found = problems(
        nodePools={"GPU_Pool": pool, "cpu": {**pool, "labels": {"kfstack.io/pool": "gpu"}}, "ok": pool}
    )
    assert "kfstack.io/pool label value: not a DNS-1123 label" in found["kfstack:nodePools.GPU_Pool"]
    assert "kfstack sets kfstack.io/pool: cpu" in found["kfstack:nodePools.cpu.labels.kfstack.io/pool"]
    assert not any(p.startswith("kfstack:nodePools.ok") for p in found)
    assert "kfstack:nodePools.cpu.labels.kfstack.io/pool" not in problems(
        nodePools={"cpu": {**pool, "labels": {"kfstack.io/pool": "cpu"}}}
    )
