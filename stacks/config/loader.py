"""Read an environment file (`environments/Pulumi.<env>.yaml`) into an `EnvironmentConfig`.

Errors are collected, not raised one by one: YAML syntax (file and line), unknown or missing
keys, wrong types, plain text where a secret belongs and the cross-field rules, each with its
`kfstack:` key path and the line it is on.
"""

from __future__ import annotations

import codecs
import copy
import difflib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from stacks.config.environment import EnvironmentConfig
from stacks.config.errors import (
    NAMESPACE,
    ConfigError,
    ConfigProblem,
    format_path,
    problems_from_validation,
)
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
    problems: list[ConfigProblem] = field(default_factory=list)


def known_environments(directory: Path = ENVIRONMENTS_DIR) -> list[str]:
    """Environment names that have a stack file in `directory`."""
    return sorted(p.name[len("Pulumi.") : -len(".yaml")] for p in directory.glob("Pulumi.*.yaml"))


def resolve_environment_file(name_or_path: str, directory: Path = ENVIRONMENTS_DIR) -> Path:
    """Map an environment name (`dev`) or a file path to its stack file, or explain what exists."""
    candidate = Path(name_or_path)
    if candidate.suffix in (".yaml", ".yml") or candidate.exists():
        if candidate.is_dir():
            raise ConfigError([ConfigProblem("", f"is a directory, not a stack file: {candidate}")])
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


class _DuplicateKeyLoader(yaml.SafeLoader):
    """SafeLoader that records each mapping key given twice (PyYAML silently keeps the last one)."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.duplicates: list[tuple[str, int, int]] = []

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        first_line: dict[Any, int] = {}
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=True)
            line = key_node.start_mark.line + 1
            try:
                if key in first_line:
                    self.duplicates.append((str(key), first_line[key], line))
                else:
                    first_line[key] = line
            except TypeError:
                pass  # an unhashable key: construct_mapping below reports it
        return super().construct_mapping(node, deep=deep)


def _decode(path: Path, data: bytes) -> str:
    """The file's text; anything but UTF-8 (a UTF-8 BOM is accepted) is a problem with its line."""
    for bom, encoding in (
        (codecs.BOM_UTF32_LE, "UTF-32"),
        (codecs.BOM_UTF32_BE, "UTF-32"),
        (codecs.BOM_UTF16_LE, "UTF-16"),
        (codecs.BOM_UTF16_BE, "UTF-16"),
    ):
        if data.startswith(bom) and not data.startswith(codecs.BOM_UTF8):
            raise ConfigError(
                [
                    ConfigProblem(
                        "",
                        f"the file is {encoding}-encoded; Pulumi reads stack files as UTF-8: "
                        "save it as UTF-8",
                        line=1,
                    )
                ],
                str(path),
            )
    if b"\x00" in data:
        line = data[: data.index(b"\x00")].count(b"\n") + 1
        raise ConfigError(
            [
                ConfigProblem(
                    "",
                    "binary data (a NUL byte), not a YAML stack file; if it is UTF-16, save it as UTF-8",
                    line=line,
                )
            ],
            str(path),
        )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        byte = data[exc.start]
        raise ConfigError(
            [
                ConfigProblem(
                    "",
                    f"not valid UTF-8 (byte 0x{byte:02x}); Pulumi reads stack files as UTF-8: "
                    "save it as UTF-8 (it may be Latin-1 or Windows-1252)",
                    line=line,
                )
            ],
            str(path),
        ) from None


def _reader_problem(text: str, exc: yaml.reader.ReaderError) -> ConfigProblem:
    character = exc.character if isinstance(exc.character, str) else chr(exc.character)
    line = text[: exc.position].count("\n") + 1
    return ConfigProblem(
        "",
        f"character U+{ord(character):04X} is not allowed in YAML (control characters other than tab "
        "and line breaks); remove it",
        line=line,
    )


def _yaml_problem(exc: yaml.YAMLError) -> ConfigProblem:
    mark = getattr(exc, "problem_mark", None)
    reason = getattr(exc, "problem", None) or str(exc)
    if "'\\t'" in reason or "\t" in reason:
        reason += " (YAML indents with spaces, not tabs)"
    line = mark.line + 1 if mark is not None else None
    return ConfigProblem("", f"YAML syntax error: {reason}", line=line)


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


def _namespace_problem(key: str, line: int | None) -> ConfigProblem | None:
    """A config key whose namespace looks like a typo of `kfstack` (`kfstak:tier`)."""
    namespace, sep, name = key.partition(":")
    if not sep or namespace == NAMESPACE:
        return None
    if not difflib.get_close_matches(namespace, [NAMESPACE], n=1, cutoff=0.7):
        return None  # another provider's namespace (aws:, kubernetes:) is Pulumi's, not ours
    return ConfigProblem(
        key, f"unknown config namespace '{namespace}'; did you mean '{NAMESPACE}:{name}'?", line=line
    )


def _path_at_line(lines: dict[str, int], key: str, line: int) -> str:
    """The key path (`kfstack:cluster.kind`) of `key` written on `line`, or '' if not found."""
    for path, at in lines.items():
        if at == line and (path == key or path.endswith((f".{key}", f":{key}"))):
            return path
    return ""


def read_stack_file(path: Path) -> RawStackFile:
    """Parse a stack file. Problems that stop the parse (encoding, YAML syntax, layout) raise
    ConfigError with file and line; the rest (duplicate keys, namespace typos) are kept in
    `problems` for the same report as the schema's."""
    if path.is_dir():
        raise ConfigError([ConfigProblem("", f"is a directory, not a stack file: {path}")])
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise ConfigError([ConfigProblem("", f"file not found: {path}")]) from None
    except OSError as exc:
        raise ConfigError([ConfigProblem("", f"cannot read {path}: {exc.strerror}")]) from None
    text = _decode(path, data)
    try:
        loader = _DuplicateKeyLoader(text)
    except yaml.reader.ReaderError as exc:  # checked as the reader is made: a control character
        raise ConfigError([_reader_problem(text, exc)], str(path)) from None
    try:
        node = loader.get_single_node()
        document = loader.construct_document(node) if node is not None else None
    except yaml.reader.ReaderError as exc:
        raise ConfigError([_reader_problem(text, exc)], str(path)) from None
    except yaml.YAMLError as exc:
        raise ConfigError([_yaml_problem(exc)], str(path)) from None
    finally:
        loader.dispose()
    if document is None:
        raise ConfigError(
            [ConfigProblem("", "the file is empty; a stack file needs a top-level `config:` mapping")],
            str(path),
        )
    if not isinstance(document, dict) or not isinstance(document.get("config"), dict):
        raise ConfigError(
            [ConfigProblem("config", "a stack file needs a top-level `config:` mapping")], str(path)
        )
    lines: dict[str, int] = {}
    if node is not None:
        _line_map(node, "", lines)
    lines = {k.removeprefix("config."): v for k, v in lines.items()}
    problems = [
        ConfigProblem(
            _path_at_line(lines, key, second),
            f"duplicate key '{key}' on lines {first} and {second}; remove one (YAML would silently "
            "keep the last)",
            line=second,
        )
        for key, first, second in loader.duplicates
    ]
    values: dict[str, Any] = {}
    other: dict[str, Any] = {}
    typos: dict[str, tuple[str, Any]] = {}
    for key, value in document["config"].items():
        namespace, sep, name = str(key).partition(":")
        if sep and namespace == NAMESPACE:
            values[name] = _secret_aware(value)
        else:
            other[str(key)] = value
            typo = _namespace_problem(str(key), lines.get(str(key)))
            if typo is not None:
                problems.append(typo)
                typos[name] = (str(key), value)
    for name, (key, value) in typos.items():
        # Validate the value as the key it was meant to be, so its own problems show in this
        # pass and the key is not also reported missing; the typo alone fails the file.
        if name not in values:
            values[name] = _secret_aware(value)
            for key_path, line in list(lines.items()):
                if key_path == key or key_path.startswith((f"{key}.", f"{key}[")):
                    lines[f"{NAMESPACE}:{name}{key_path[len(key) :]}"] = line
    return RawStackFile(path, values, other, lines, problems)


def _with_namespace(problem: ConfigProblem, lines: dict[str, int]) -> ConfigProblem:
    path = f"{NAMESPACE}:{problem.path}" if problem.path else problem.path
    probe = path
    line = problem.line
    while line is None and probe:
        line = lines.get(probe)
        probe = probe.rpartition(".")[0] if "." in probe else probe.rpartition("[")[0]
    return ConfigProblem(path, problem.message, problem.value, line)


def _prune(values: dict[str, Any], loc: tuple[int | str, ...]) -> tuple[str | int, ...] | None:
    """Remove the value a schema error points at so the rest can still be validated; returns the
    pruned location, or None when nothing can be removed (a root-level error).

    A list item is not removed on its own (that would renumber the items after it): the whole
    list goes. Locations that step into a union member's name stop at the last real key."""
    container: Any = values
    reached: list[int | str] = []
    for part in loc:
        in_dict = isinstance(container, dict) and part in container
        in_list = isinstance(container, list) and isinstance(part, int) and 0 <= part < len(container)
        if not (in_dict or in_list):
            break
        container = container[part]
        reached.append(part)
    while reached:
        # Walk back to a dict key whose value is not inside a list.
        holder: Any = values
        for part in reached[:-1]:
            holder = holder[part]
        if isinstance(holder, dict):
            del holder[reached[-1]]
            return tuple(reached)
        reached.pop()
    return None


def _overlaps(path: str, pruned: list[str]) -> bool:
    """Whether `path` is at, under or above a pruned key path."""
    for other in pruned:
        for a, b in ((path, other), (other, path)):
            if a == b or a.startswith((f"{b}.", f"{b}[")):
                return True
    return False


def _schema_and_rule_problems(values: dict[str, Any]) -> tuple[EnvironmentConfig | None, list[ConfigProblem]]:
    """Every schema problem and, where the rest of the file allows it, every rule problem too.

    Pydantic stops before model-level checks when a field is wrong, and the rules need a
    validated tree; so each bad value is set aside and the rest validated again, until it
    validates (then the rules run, except those about a value set aside) or nothing more can be
    set aside."""
    current = copy.deepcopy(values)
    problems: list[ConfigProblem] = []
    seen: set[tuple[str, str]] = set()
    pruned: list[str] = []
    for _ in range(10):  # each round sets aside at least one key; files have few bad ones
        try:
            config = EnvironmentConfig.model_validate(current)
        except ValidationError as exc:
            progress = False
            for error, problem in zip(
                exc.errors(include_url=False), problems_from_validation(EnvironmentConfig, exc), strict=True
            ):
                if error["type"] == "missing" and _overlaps(problem.path, pruned):
                    continue  # a consequence of setting a bad value aside
                if (problem.path, problem.message) not in seen:
                    seen.add((problem.path, problem.message))
                    problems.append(problem)
                if error["type"] != "missing":
                    removed = _prune(current, tuple(error["loc"]))
                    if removed is not None:
                        pruned.append(format_path(removed))
                        progress = True
            if not progress:
                return None, problems
            continue
        if problems:
            problems += [p for p in rule_problems(config) if not _overlaps(p.path, pruned)]
            return None, problems
        return config, rule_problems(config)
    return None, problems


def parse_environment(
    values: dict[str, Any],
    lines: dict[str, int] | None = None,
    file: str | None = None,
    file_problems: list[ConfigProblem] | None = None,
) -> EnvironmentConfig:
    """Validate the `kfstack:` values (namespace stripped) and apply every cross-field rule.

    Raises one ConfigError with every problem found: `file_problems` (from reading the file,
    already namespaced), the schema's and the rules'."""
    lines = lines or {}
    config, found = _schema_and_rule_problems(values)
    problems = list(file_problems or []) + [_with_namespace(p, lines) for p in found]
    if problems:
        problems.sort(key=lambda p: (p.line is None, p.line or 0))
        raise ConfigError(problems, file)
    assert config is not None  # no problems means it validated
    return config


def load_environment(name_or_path: str, directory: Path = ENVIRONMENTS_DIR) -> tuple[str, EnvironmentConfig]:
    """Load and validate an environment by name or file; returns (environment name, config)."""
    path = resolve_environment_file(name_or_path, directory)
    raw = read_stack_file(path)
    config = parse_environment(raw.values, raw.lines, str(path), raw.problems)
    return environment_name(path), config


def environment_name(path: Path) -> str:
    """`environments/Pulumi.dev.yaml` -> `dev`."""
    name = path.name
    return (
        name[len("Pulumi.") : -len(".yaml")]
        if name.startswith("Pulumi.") and name.endswith(".yaml")
        else path.stem
    )
