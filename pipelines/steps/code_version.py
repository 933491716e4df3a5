"""The code version recorded with every registered model: the git commit of the pipeline package."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

CODE_VERSION_ENV = "KFSTACK_CODE_VERSION"
"""Set in the runtime image (it has no .git): the commit the image was built from."""
_PACKAGE_DIR = Path(__file__).resolve().parents[1]


def code_version() -> str:
    """$KFSTACK_CODE_VERSION, else `git rev-parse HEAD` of the checkout holding `pipelines/`
    (suffixed `-dirty` when `pipelines/` has uncommitted changes), else "unknown"."""
    if os.environ.get(CODE_VERSION_ENV):
        return os.environ[CODE_VERSION_ENV]
    try:
        commit = _git("rev-parse", "HEAD")
        dirty = _git("status", "--porcelain", "--", str(_PACKAGE_DIR))
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return f"{commit}-dirty" if dirty else commit


def _git(*args: str) -> str:
    done = subprocess.run(["git", "-C", str(_PACKAGE_DIR), *args], capture_output=True, text=True,
                          check=True, timeout=10)
    return done.stdout.strip()
