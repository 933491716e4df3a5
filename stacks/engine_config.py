"""Load the environment when running under the real Pulumi engine.

The stack file gives the structure (and which values are `secure:`); the engine gives the
decrypted values through Pulumi config, which are filled into each SecretRef.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pulumi

from stacks.config.environment import EnvironmentConfig
from stacks.config.loader import NAMESPACE, parse_environment, read_stack_file
from stacks.config.secrets import SecretRef


def _fill_secrets(structure: Any, decrypted: Any) -> Any:
    if isinstance(structure, SecretRef):
        return SecretRef(structure.ciphertext, plaintext=str(decrypted))
    if isinstance(structure, dict) and isinstance(decrypted, dict):
        return {k: _fill_secrets(v, decrypted.get(k)) for k, v in structure.items()}
    if isinstance(structure, list) and isinstance(decrypted, list):
        return [_fill_secrets(s, d) for s, d in zip(structure, decrypted, strict=False)]
    return structure


def load_engine_environment(project_dir: Path | None = None) -> tuple[str, EnvironmentConfig]:
    """(stack name, validated config) for the stack the engine is running."""
    stack = pulumi.get_stack()
    root = project_dir or Path(pulumi.get_root_directory() or ".")
    path = root / "environments" / f"Pulumi.{stack}.yaml"
    raw = read_stack_file(path)
    config = pulumi.Config(NAMESPACE)
    values = {key: _fill_secrets(value, config.get_object(key)) for key, value in raw.values.items()}
    return stack, parse_environment(values, raw.lines, str(path))
