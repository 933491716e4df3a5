"""Read an environment file (`environments/Pulumi.<env>.yaml`) into an `EnvironmentConfig`.

Errors are collected, not raised one by one: YAML syntax (file and line), unknown or missing
keys, wrong types, plain text where a secret belongs and the cross-field rules, each with its
`kfstack:` key path and the line it is on.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from stacks.config.environment import EnvironmentConfig
from stacks.config.errors import NAMESPACE, ConfigError, ConfigProblem, problems_from_validation
from stacks.config.rules import rule_problems
from stacks.config.secrets import SecretRef

ENVIRONMENTS_DIR = Path(__file__).resolve().parents[2] / "environments"


@dataclass
class RawStackFile:
    """A parsed stack file: the `kfstack:` values, other namespaces, and key-path line numbers."""

    path: Path
    values: dict[str, Any]
    other: dict[str, Any]
    lines: dict[str, int] = field(default_factory=dict)


def known_environments(directory: Path = ENVIRONMENTS_DIR) -> list[str]:
    """Environment names that have a stack file in `directory`."""
    return sorted(p.name[len("Pulumi.") : -len(".yaml")] for p in directory.glob("Pulumi.*.yaml"))


def resolve_environment_file(name_or_path: str, directory: Path = ENVIRONMENTS_DIR) -> Path:
    """Map an environment name (`dev`) or a file path to its stack file, or explain what exists."""
    candidate = Path(name_or_path)
    if candidate.suffix in (".yaml", ".yml") or candidate.exists():
        if not candidate.is_file():
            raise ConfigError([ConfigProblem("", f"file not found: {candidate}")])
        return candidate
    path = directory / f"Pulumi.{name_or_path}.yaml"
    if not path.is_file():
        known = ", ".join(known_environments(directory)) or "none"
        raise ConfigError(
            [ConfigProblem("", f"unknown environment '{name_or_path}'; known environments: {known}")]
        )
    return path


def _secret_aware(value: Any) -> Any:
    """Turn `{secure: ciphertext}` mappings into SecretRef, recursively."""
    if isinstance(value, dict):
        if set(value) == {"secure"} and isinstance(value["secure"], str):
            return SecretRef(value["secure"])
        return {k: _secret_aware(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_secret_aware(v) for v in value]
    return value


def _line_map(node: yaml.Node, prefix: str, out: dict[str, int]) -> None:
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            key = str(key_node.value)
            path = f"{prefix}.{key}" if prefix else key
            out[path] = key_node.start_mark.line + 1
            _line_map(value_node, path, out)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            path = f"{prefix}[{i}]"
            out[path] = item.start_mark.line + 1
            _line_map(item, path, out)


def read_stack_file(path: Path) -> RawStackFile:
    """Parse a stack file; YAML and layout problems raise ConfigError with file and line."""
    text = path.read_text(encoding="utf-8")
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        document = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        reason = getattr(exc, "problem", None) or str(exc)
        line = mark.line + 1 if mark is not None else None
        raise ConfigError([ConfigProblem("", f"YAML syntax error: {reason}", line=line)], str(path)) from None
    if not isinstance(document, dict) or not isinstance(document.get("config"), dict):
        raise ConfigError(
            [ConfigProblem("config", "a stack file needs a top-level `config:` mapping")], str(path)
        )
    lines: dict[str, int] = {}
    if node is not None:
        _line_map(node, "", lines)
    values: dict[str, Any] = {}
    other: dict[str, Any] = {}
    for key, value in document["config"].items():
        namespace, sep, name = str(key).partition(":")
        if sep and namespace == NAMESPACE:
            values[name] = _secret_aware(value)
        else:
            other[str(key)] = value
    return RawStackFile(path, values, other, {k.removeprefix("config."): v for k, v in lines.items()})


def _with_namespace(problem: ConfigProblem, lines: dict[str, int]) -> ConfigProblem:
    path = f"{NAMESPACE}:{problem.path}" if problem.path else problem.path
    probe = path
    line = problem.line
    while line is None and probe:
        line = lines.get(probe)
        probe = probe.rpartition(".")[0] if "." in probe else probe.rpartition("[")[0]
    return ConfigProblem(path, problem.message, problem.value, line)


def parse_environment(
    values: dict[str, Any], lines: dict[str, int] | None = None, file: str | None = None
) -> EnvironmentConfig:
    """Validate the `kfstack:` values (namespace stripped) and apply every cross-field rule."""
    lines = lines or {}
    try:
        config = EnvironmentConfig.model_validate(values)
    except ValidationError as exc:
        problems = problems_from_validation(EnvironmentConfig, exc)
        raise ConfigError([_with_namespace(p, lines) for p in problems], file) from None
    problems = rule_problems(config)
    if problems:
        raise ConfigError([_with_namespace(p, lines) for p in problems], file)
    return config


def load_environment(name_or_path: str, directory: Path = ENVIRONMENTS_DIR) -> tuple[str, EnvironmentConfig]:
    """Load and validate an environment by name or file; returns (environment name, config)."""
    path = resolve_environment_file(name_or_path, directory)
    raw = read_stack_file(path)
    config = parse_environment(raw.values, raw.lines, str(path))
    return environment_name(path), config


def environment_name(path: Path) -> str:
    """`environments/Pulumi.dev.yaml` -> `dev`."""
    name = path.name
    return (
        name[len("Pulumi.") : -len(".yaml")]
        if name.startswith("Pulumi.") and name.endswith(".yaml")
        else path.stem
    )
