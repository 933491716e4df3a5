"""Helpers for schema tests: a minimal valid environment to mutate, and problem extraction."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest

from stacks.config.errors import ConfigError
from stacks.config.loader import parse_environment

MINIMAL: dict[str, Any] = {
    "tier": "local",
    "cluster": {
        "kind": "existing",
        "kubernetesVersion": "1.33",
        "existing": {"context": "kind-kfstack"},
    },
    "profiles": [{"name": "kubeflow-user", "owner": "user@example.com"}],
    # the registered pipelines' model store on an existing cluster
    "storage": {"volumes": {"models": {"size": "10Gi", "mountPath": "/mnt/models"}}},
}


@pytest.fixture
def problems() -> Callable[..., dict[str, str]]:
    """`problems(**overrides)` -> {key path: message} for a minimal env with top-level overrides."""

    def _problems(**overrides: Any) -> dict[str, str]:
        values = copy.deepcopy(MINIMAL) | overrides
        try:
            parse_environment(values)
        except ConfigError as error:
            return {p.path: p.message for p in error.problems}
        return {}

    return _problems
