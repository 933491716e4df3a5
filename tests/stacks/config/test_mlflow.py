"""`components.mlflow`: the backend store fits the cluster and tier, and each rule names its key path."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest

from stacks.config.components import MlflowConfig
from stacks.config.errors import ConfigError
from stacks.config.loader import ENVIRONMENTS_DIR, parse_environment, read_stack_file

Edit = Callable[[dict[str, Any]], None]


def _problems(environment: str, edit: Edit) -> dict[str, str]:
    values = copy.deepcopy(read_stack_file(ENVIRONMENTS_DIR / f"Pulumi.{environment}.yaml").values)
    edit(values)
    try:
        parse_environment(values)
    except ConfigError as error:
        return {p.path: p.message for p in error.problems}
    return {}


def _mlflow(**settings: Any) -> Edit:
    def edit(values: dict[str, Any]) -> None:
        values["components"]["mlflow"] = settings

    return edit


def test_the_store_defaults_to_rds_on_eks_and_sqlite_on_an_existing_cluster() -> None:
    mlflow = MlflowConfig()
    assert (mlflow.database_kind("eks"), mlflow.replica_count("eks")) == ("rds", 2)
    assert (mlflow.database_kind("existing"), mlflow.replica_count("existing")) == ("sqlite", 1)


@pytest.mark.parametrize("environment", ["dev", "staging", "prod"])
def test_sqlite_on_an_eks_tier_is_rejected_as_not_highly_available(environment: str) -> None:
    found = _problems(environment, _mlflow(database={"kind": "sqlite"}))
    message = found.pop("kfstack:components.mlflow.database.kind")
    assert "sqlite" in message and f"{environment} needs rds" in message
    assert found == {}


def test_rds_on_an_existing_cluster_is_rejected() -> None:
    found = _problems("local", _mlflow(database={"kind": "rds"}))
    assert found == {
        "kfstack:components.mlflow.database.kind": (
            "the stack creates RDS only on EKS; use sqlite on an existing cluster"
        )
    }


def test_more_than_one_replica_on_sqlite_is_rejected() -> None:
    found = _problems("local", _mlflow(replicas=2))
    assert found == {
        "kfstack:components.mlflow.replicas": "sqlite allows one writer: one replica, or database.kind rds"
    }


def test_mlflow_on_eks_without_the_artifact_bucket_is_rejected() -> None:
    def no_bucket(values: dict[str, Any]) -> None:
        values["storage"]["artifactBucket"] = {"enabled": False}

    found = _problems("dev", no_bucket)
    assert list(found) == ["kfstack:storage.artifactBucket.enabled"]
    assert "components.mlflow.enabled: false" in found["kfstack:storage.artifactBucket.enabled"]

    def no_bucket_no_mlflow(values: dict[str, Any]) -> None:
        no_bucket(values)
        values["components"]["mlflow"] = {"enabled": False}

    assert _problems("dev", no_bucket_no_mlflow) == {}


def test_storage_autoscaling_below_the_allocated_storage_is_rejected() -> None:
    found = _problems("prod", _mlflow(database={"allocatedStorage": 200, "maxAllocatedStorage": 100}))
    assert found == {
        "kfstack:components.mlflow.database.maxAllocatedStorage": (
            "must be at least allocatedStorage (200), or null to turn autoscaling off"
        )
    }
    assert _problems("prod", _mlflow(database={"allocatedStorage": 200, "maxAllocatedStorage": None})) == {}


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("instanceClass", "t4g.small"),
        ("engineVersion", "latest"),
        ("allocatedStorage", 5),
        ("backupRetentionDays", 0),
        ("volumeSize", "10GB"),
    ],
)
def test_malformed_database_settings_are_rejected_at_their_key(key: str, value: Any) -> None:
    found = _problems("prod", _mlflow(database={key: value}))
    assert list(found) == [f"kfstack:components.mlflow.database.{key}"]


def test_the_shipped_environments_are_valid_with_mlflow() -> None:
    for environment in ("local", "dev", "staging", "prod"):
        assert _problems(environment, lambda values: None) == {}


def test_an_existing_cluster_outside_local_keeps_sqlite_its_only_store(problems) -> None:
    # no RDS without EKS: a dev tier on an existing cluster runs the single-pod sqlite store
    assert not [path for path in problems(tier="dev") if path.startswith("kfstack:components.mlflow")]
