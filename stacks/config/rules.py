"""Cross-field rules: each config model may report problems relative to its own key path.

Pydantic model validators cannot point at a nested key, so rules run as a second pass over the
validated tree; every model that defines `rule_problems()` is asked, with its own path prefixed.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from stacks.config.errors import ConfigProblem, format_path, short_value


@dataclass(frozen=True)
class Violation:
    """A rule broken at `loc` (relative to the model that reports it)."""

    loc: tuple[int | str, ...]
    message: str
    value: Any = None
    has_value: bool = False


def violation(loc: tuple[int | str, ...] | str, message: str, *value: Any) -> Violation:
    """Build a Violation; pass the offending value to have it shown."""
    path = (loc,) if isinstance(loc, str) else loc
    return Violation(path, message, value[0] if value else None, bool(value))


def _children(model: BaseModel) -> Iterator[tuple[tuple[int | str, ...], BaseModel]]:
    for name, info in type(model).model_fields.items():
        key = info.alias or name
        value = getattr(model, name)
        if isinstance(value, BaseModel):
            yield (key,), value
        elif isinstance(value, dict):
            for k, v in value.items():
                if isinstance(v, BaseModel):
                    yield (key, k), v
        elif isinstance(value, list | tuple):
            for i, v in enumerate(value):
                if isinstance(v, BaseModel):
                    yield (key, i), v


def rule_problems(model: BaseModel, prefix: tuple[int | str, ...] = ()) -> list[ConfigProblem]:
    """Every cross-field rule violation in `model` and below, with full key paths."""
    problems: list[ConfigProblem] = []
    check = getattr(model, "rule_problems", None)
    if check is not None:
        for v in check():
            problems.append(
                ConfigProblem(
                    format_path(prefix + v.loc),
                    v.message,
                    short_value(v.value) if v.has_value else None,
                )
            )
    for loc, child in _children(model):
        problems.extend(rule_problems(child, prefix + loc))
    return problems
