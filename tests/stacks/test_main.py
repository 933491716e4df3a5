"""The Pulumi program started outside the engine says how to run it, with no traceback."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("argv", [["-m", "stacks"], ["stacks/__main__.py"]])
def test_outside_the_engine_exits_2_with_a_pointer_to_pulumi_and_plan(argv: list[str]) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PULUMI_")}
    env["PYTHONPATH"] = str(ROOT) if argv[0] == "-m" else ""
    result = subprocess.run(
        [sys.executable, *argv], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    assert "runs under the Pulumi engine" in result.stderr
    assert "pulumi up" in result.stderr and "kfstack plan ENV" in result.stderr
