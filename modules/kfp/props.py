"""Property-bag helpers shared by the KFP providers: unknowns, secrets, numbers, diffs.

The dynamic-provider host hands providers plain dicts decoded from protobuf: numbers arrive as
floats, values not yet known during preview arrive as the `UNKNOWN` sentinel string, and secret
values (if an engine ever sends them) arrive wrapped in a signature dict.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import pulumi.dynamic
from pulumi.runtime import rpc

UNKNOWN = rpc.UNKNOWN
PROVIDER_KEY = "__provider"


def is_unknown(value: Any) -> bool:
    """True when `value` is, or contains, a value not yet known (preview)."""
    if isinstance(value, str):
        return value == UNKNOWN
    if isinstance(value, Mapping):
        return any(is_unknown(v) for v in value.values())
    if isinstance(value, (list, tuple)):
        return any(is_unknown(v) for v in value)
    return False


def plain(value: Any) -> Any:
    """`value` with every wrapped secret unwrapped, recursively, and integral floats as ints."""
    value = rpc.unwrap_rpc_secret(value)
    if isinstance(value, Mapping):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def secret(value: Any) -> Any:
    """Wrap `value` so the host serialises it as a secret (state keeps it encrypted)."""
    return rpc.wrap_rpc_secret(value)


def inputs_of(props: Mapping[str, Any], keys: Iterable[str]) -> dict[str, Any]:
    """The `keys` of `props` that are set, unwrapped (the provider's working copy)."""
    return {key: plain(props[key]) for key in keys if props.get(key) is not None}


def _comparable(value: Any) -> Any:
    """`value` unwrapped, with empty values (None, "", {}, []) all as None: the API omits them."""
    value = plain(value)
    return None if value in (None, "", {}, []) else value


def changed_keys(olds: Mapping[str, Any], news: Mapping[str, Any], keys: Iterable[str]) -> list[str]:
    """The `keys` whose value differs between `olds` and `news`; unknown new values count as changed."""
    changed = []
    for key in keys:
        new = news.get(key)
        if is_unknown(new) or _comparable(olds.get(key)) != _comparable(new):
            changed.append(key)
    return changed


def diff_result(
    olds: Mapping[str, Any],
    news: Mapping[str, Any],
    replace_keys: Iterable[str],
    update_keys: Iterable[str],
    delete_before_replace: bool = False,
) -> pulumi.dynamic.DiffResult:
    """A DiffResult from the keys that force replacement and the keys updated in place.

    `connection` is split: its endpoint or namespace changing means another object (replace);
    the auth settings and `credentials` only change how later calls authenticate (update).
    """
    replaces = changed_keys(olds, news, replace_keys)
    updates = changed_keys(olds, news, update_keys)
    old_conn, new_conn = olds.get("connection") or {}, news.get("connection") or {}
    conn_unknown = is_unknown(new_conn) and not isinstance(new_conn, Mapping)
    if conn_unknown or changed_keys(old_conn, new_conn, ("endpoint", "namespace")):
        replaces.append("connection")
    elif changed_keys(olds, news, ("connection", "credentials")):
        updates.append("connection")
    changes = bool(replaces or updates)
    return pulumi.dynamic.DiffResult(
        changes=changes,
        replaces=replaces,
        stables=[],
        delete_before_replace=delete_before_replace if replaces else None,
    )


def failures(problems: Iterable[tuple[str, str]]) -> list[pulumi.dynamic.CheckFailure]:
    """CheckFailures from (property, reason) pairs."""
    return [pulumi.dynamic.CheckFailure(prop, reason) for prop, reason in problems]


def with_secret_credentials(outs: dict[str, Any]) -> dict[str, Any]:
    """`outs` with `credentials` wrapped as a secret, so the engine stores it encrypted."""
    if outs.get("credentials") is not None:
        outs["credentials"] = secret(plain(outs["credentials"]))
    return outs
