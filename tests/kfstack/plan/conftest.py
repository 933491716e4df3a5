"""Fixtures for the plan tests that render the packaged upstream charts."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from kfstack.plan.binaries import ToolNotFound, find_tool

REPO_ROOT = Path(__file__).resolve().parents[3]


def packaged_charts() -> Path | None:
    """../shared/charts beside the repository, or $KFSTACK_CHARTS_DIR; None when absent."""
    configured = os.environ.get("KFSTACK_CHARTS_DIR")
    candidate = Path(configured) if configured else REPO_ROOT.parent / "shared" / "charts"
    return candidate if candidate.is_dir() else None


@pytest.fixture(scope="session")
def charts_dir() -> Path:
    """The packaged upstream charts (../shared/charts or $KFSTACK_CHARTS_DIR)."""
    found = packaged_charts()
    if found is None:
        pytest.skip("packaged charts not found: set KFSTACK_CHARTS_DIR or place them at ../shared/charts")
    return found


@pytest.fixture(scope="session")
def helm() -> Path:
    """The helm binary; tests needing it are skipped with the locator's reason when there is none."""
    try:
        return find_tool("helm")
    except ToolNotFound as exc:
        pytest.skip(str(exc))
