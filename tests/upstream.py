"""Read kubeflow/manifests 26.03 objects (the rendered output in ../shared/kubeflow/26.03/rendered) so
tests can prove kfstack's objects fit upstream's; skips with a reason when the folder is absent."""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.conftest import REPO_ROOT

KUBEFLOW_DIR = Path(os.environ.get("KFSTACK_KUBEFLOW_DIR") or REPO_ROOT.parent / "shared" / "kubeflow" / "26.03")


def kubeflow_dir() -> Path:
    """The kubeflow/manifests 26.03 copy; the test is skipped when it is absent."""
    if not (KUBEFLOW_DIR / "rendered").is_dir():
        pytest.skip(f"kubeflow/manifests 26.03 not found at {KUBEFLOW_DIR}")
    return KUBEFLOW_DIR


@cache
def rendered_objects(file_name: str) -> tuple[dict[str, Any], ...]:
    """Every object of `rendered/<file_name>` (the kustomization's `kubectl kustomize` output)."""
    text = (kubeflow_dir() / "rendered" / file_name).read_text()
    return tuple(doc for doc in yaml.safe_load_all(text) if doc)


def upstream_object(file_name: str, kind: str, name: str, namespace: str | None = None) -> dict[str, Any]:
    """The one object of `kind`/`name` (in `namespace`) in a rendered kustomization."""
    found = [
        o
        for o in rendered_objects(file_name)
        if o["kind"] == kind
        and o["metadata"]["name"] == name
        and (namespace is None or o["metadata"].get("namespace") == namespace)
    ]
    assert len(found) == 1, f"{file_name}: expected one {kind} {name}, found {len(found)}"
    return found[0]
