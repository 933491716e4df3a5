"""Config problems that name the key path, the bad value and what is allowed."""

from __future__ import annotations

import difflib
import types
import typing
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from stacks.config.kubernetes_names import LABEL_RULE
from stacks.config.secrets import PLAIN_TEXT_SECRET, REDACTED, SecretRef, secret_hint

NAMESPACE = "kfstack"


@dataclass(frozen=True)
class ConfigProblem:
    """One thing wrong with an environment file."""

    path: str
    message: str
    value: str | None = None
    line: int | None = None

    def render(self, file: str | None = None) -> str:
        location = f"{file}:{self.line}" if file and self.line else (file or "")
        where = ": ".join(part for part in (location, self.path) if part)
        text = f"{where}: {self.message}" if where else self.message
        if self.value is not None:
            text += f" (got {self.value})"
        return text


class ConfigError(Exception):
    """Raised when an environment cannot be loaded; carries every problem found."""

    def __init__(self, problems: list[ConfigProblem], file: str | None = None) -> None:
        self.problems = problems
        self.file = file
        super().__init__("\n".join(p.render(file) for p in problems))


def format_path(loc: Iterable[int | str]) -> str:
    """`('nodePools', 'gpu', 'taints', 0)` -> `nodePools.gpu.taints[0]`."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


def short_value(value: Any) -> str:
    """A one-line rendering of a bad value; secrets stay redacted."""
    if isinstance(value, SecretRef):
        return REDACTED
    if isinstance(value, dict):
        return "a mapping with keys " + ", ".join(sorted(map(str, value))) if value else "{}"
    if isinstance(value, list | tuple) and any(isinstance(v, dict | list | tuple | SecretRef) for v in value):
        # Nested values may sit under a secret's key: name the shape, not the contents.
        return f"a list of {len(value)} item{'s' if len(value) != 1 else ''}"
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _unwrap(annotation: Any) -> Any:
    """Strip Optional/Annotated and step into list/dict element types."""
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _unwrap(typing.get_args(annotation)[0])
    if origin in (typing.Union, types.UnionType):
        inner = [a for a in typing.get_args(annotation) if a is not type(None)]
        return _unwrap(inner[0]) if len(inner) == 1 else annotation
    return annotation


def _model_at(root: type[BaseModel], loc: tuple[int | str, ...]) -> type[BaseModel] | None:
    """The model class that owns the mapping at `loc`, following aliases, lists and dicts."""
    current: Any = root
    for part in loc:
        current = _unwrap(current)
        origin = typing.get_origin(current)
        if origin in (list, tuple, dict):
            args = typing.get_args(current)
            current = args[-1] if args else None
            continue
        if not (isinstance(current, type) and issubclass(current, BaseModel)):
            return None
        fields = {(f.alias or n): f for n, f in current.model_fields.items()}
        if part not in fields:
            return None
        current = fields[part].annotation
    current = _unwrap(current)
    origin = typing.get_origin(current)
    if origin in (list, dict):
        return None
    return current if isinstance(current, type) and issubclass(current, BaseModel) else None


def allowed_keys(root: type[BaseModel], loc: tuple[int | str, ...]) -> list[str]:
    """The keys a config mapping at `loc` may have."""
    model = _model_at(root, loc)
    if model is None:
        return []
    return sorted(f.alias or n for n, f in model.model_fields.items())


# Patterns the schema uses for Kubernetes names, said in words rather than as a regex.
_PATTERN_RULES = {
    r"^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$": f"not a DNS-1123 label: {LABEL_RULE}",
    r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$": f"not a DNS-1123 label: {LABEL_RULE}",
}


def _problem_from_error(root: type[BaseModel], error: ErrorDetails, prefix: tuple[str, ...]) -> ConfigProblem:
    loc = tuple(error["loc"])
    path = format_path(prefix + loc)
    kind = error["type"]
    if kind == "extra_forbidden":
        key = str(loc[-1])
        allowed = allowed_keys(root, loc[:-1])
        hint = difflib.get_close_matches(key, allowed, n=1, cutoff=0.6)
        message = f"unknown key '{key}'"
        if hint:
            message += f"; did you mean '{hint[0]}'?"
        if allowed:
            message += f" Allowed keys: {', '.join(allowed)}"
        return ConfigProblem(path, message)
    if kind == PLAIN_TEXT_SECRET:
        return ConfigProblem(path, secret_hint(f"{NAMESPACE}:{path}"))  # never the value
    if kind == "missing":
        return ConfigProblem(path, "required value is missing")
    if kind == "string_pattern_mismatch" and (
        rule := _PATTERN_RULES.get(str(error.get("ctx", {}).get("pattern")))
    ):
        return ConfigProblem(path, rule, short_value(error.get("input")))
    message = error["msg"].removeprefix("Value error, ").removeprefix("Assertion failed, ")
    return ConfigProblem(path, message, short_value(error.get("input")))


def problems_from_validation(
    root: type[BaseModel], exc: ValidationError, prefix: tuple[str, ...] = ()
) -> list[ConfigProblem]:
    """Translate pydantic errors into `ConfigProblem`s with config key paths."""
    return [_problem_from_error(root, e, prefix) for e in exc.errors(include_url=False)]
