"""Property helpers: unknowns, secret unwrapping, host floats, diffs."""

from __future__ import annotations

from pulumi.runtime import rpc

from modules.kfp.props import UNKNOWN, changed_keys, diff_result, is_unknown, plain, with_secret_credentials


def test_unknowns_are_found_nested() -> None:
    assert is_unknown(UNKNOWN) and is_unknown({"a": [1, UNKNOWN]}) and not is_unknown({"a": [1, "x"]})


def test_plain_unwraps_secrets_and_integral_floats() -> None:
    wrapped = {"credentials": rpc.wrap_rpc_secret({"token": "t"}), "n": 3.0, "x": 2.5}
    assert plain(wrapped) == {"credentials": {"token": "t"}, "n": 3, "x": 2.5}


def test_empty_values_compare_equal_and_unknowns_always_change() -> None:
    assert changed_keys({"description": ""}, {}, ["description"]) == []
    assert changed_keys({"parameters": {}}, {"parameters": None}, ["parameters"]) == []
    assert changed_keys({"a": 1}, {"a": UNKNOWN}, ["a"]) == ["a"]


def test_diff_result_separates_replacements_from_updates() -> None:
    conn = {"endpoint": "http://kf", "namespace": "a", "auth": "none"}
    olds = {"connection": conn, "name": "x", "keep": 1}
    assert diff_result(olds, dict(olds), ["name"], ["keep"]).changes is False
    updated = diff_result(olds, {**olds, "keep": 2}, ["name"], ["keep"])
    assert updated.changes and updated.replaces == [] and updated.delete_before_replace is None
    replaced = diff_result(olds, {**olds, "connection": {**conn, "namespace": "b"}}, ["name"], ["keep"], True)
    assert replaced.replaces == ["connection"] and replaced.delete_before_replace is True
    assert diff_result(olds, {**olds, "connection": UNKNOWN}, [], []).replaces == ["connection"]


def test_credentials_in_outputs_are_wrapped_as_secrets() -> None:
    outs = with_secret_credentials({"credentials": {"token": "t"}, "id": "1"})
    assert rpc.is_rpc_secret(outs["credentials"]) and outs["id"] == "1"
