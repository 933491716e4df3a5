"""The stack context: the cluster name and the options stateful resources get."""

from __future__ import annotations

from stacks.config.loader import load_environment
from stacks.context import StackContext


def test_cluster_name_defaults_to_the_environment() -> None:
    _, config = load_environment("dev")
    assert StackContext("dev", config).cluster_name == "kfstack-dev"
    named = config.model_copy(
        update={"cluster": config.cluster.model_copy(
            update={"eks": config.cluster.eks.model_copy(update={"name": "ml-platform"})}  # type: ignore[union-attr]
        )}
    )
    assert StackContext("dev", named).cluster_name == "ml-platform"


def test_stateful_options_protect_and_retain_only_where_the_environment_says_so() -> None:
    _, prod = load_environment("prod")
    _, dev = load_environment("dev")
    kept = StackContext("prod", prod).stateful()
    assert kept.protect is True and kept.retain_on_delete is True
    loose = StackContext("dev", dev).stateful()
    assert loose.protect is False and loose.retain_on_delete is False
