"""Load the environment when running under the real Pulumi engine.

The stack file gives the structure (and which values are `secure:`); the engine passes the
decrypted values through Pulumi config, which are filled into each SecretRef. Only secrets are
taken from the engine: every other value comes from the same file `kfstack validate` reads.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pulumi
from pulumi.runtime.config import get_config

from stacks.config.environment import EnvironmentConfig
from stacks.config.loader import NAMESPACE, parse_environment, read_stack_file
from stacks.config.secrets import SecretRef


def _fill_secrets(structure: Any, decrypted: Any) -> Any:
    if isinstance(structure, SecretRef):
        return SecretRef(structure.ciphertext, plaintext=None if decrypted is None else str(decrypted))
    if isinstance(structure, dict):
        mapping = decrypted if isinstance(decrypted, dict) else {}
        return {k: _fill_secrets(v, mapping.get(k)) for k, v in structure.items()}
    if isinstance(structure, list):
        items = decrypted if isinstance(decrypted, list) else []
        return [_fill_secrets(s, items[i] if i < len(items) else None) for i, s in enumerate(structure)]
    return structure


def _engine_value(key: str) -> Any:
    # Raw lookup: `pulumi.Config.get_object` warns when reading secret keys synchronously.
    raw = get_config(f"{NAMESPACE}:{key}")
    if not isinstance(raw, str):
        return raw
    try:
        return json.loads(raw)
    except json.JSONDecodeError:
        return raw


def load_engine_environment(project_dir: Path | None = None) -> tuple[str, EnvironmentConfig]:
    """(stack name, validated config) for the stack the engine is running."""
    stack = pulumi.get_stack()
    root = project_dir or Path(pulumi.get_root_directory() or ".")
    path = root / "environments" / f"Pulumi.{stack}.yaml"
    raw = read_stack_file(path)
    values = {key: _fill_secrets(value, _engine_value(key)) for key, value in raw.values.items()}
    return stack, parse_environment(values, raw.lines, str(path), raw.problems)
