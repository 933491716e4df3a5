"""Finding helm and kubectl: the environment variable, then PATH, then the layer package (extracted once)."""

from __future__ import annotations

import importlib.metadata
import os
import subprocess
import sys
from pathlib import Path

import pytest

from kfstack.plan import binaries
from kfstack.plan.binaries import LAYER_DISTRIBUTION, Tool, ToolNotFound, extracted_tool, find_tool


def _fake_tool(directory: Path, name: str) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / name
    path.write_text("#!/bin/sh\necho fake\n")
    path.chmod(0o755)
    return path


@pytest.fixture
def no_tools_configured(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Neither variable set and an empty PATH, so only the layer package can provide a tool."""
    monkeypatch.delenv("KFSTACK_HELM", raising=False)
    monkeypatch.delenv("KFSTACK_KUBECTL", raising=False)
    monkeypatch.setenv("PATH", str(tmp_path / "empty-path"))


@pytest.fixture
def layer_installed() -> None:
    try:
        importlib.metadata.distribution(LAYER_DISTRIBUTION)
    except importlib.metadata.PackageNotFoundError:
        pytest.skip(f"{LAYER_DISTRIBUTION} is not installed (dev extra)")


def test_environment_variable_wins_over_path(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    configured = _fake_tool(tmp_path / "configured", "my-helm")
    monkeypatch.setenv("PATH", str(_fake_tool(tmp_path / "path", "helm").parent))
    monkeypatch.setenv("KFSTACK_HELM", str(configured))
    assert find_tool("helm") == configured


def test_environment_variable_that_is_not_executable_is_an_error(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("KFSTACK_KUBECTL", str(tmp_path / "missing"))
    with pytest.raises(ToolNotFound, match=r"\$KFSTACK_KUBECTL=.*missing is not an executable file"):
        find_tool("kubectl")


def test_path_is_used_before_the_layer_package(
    no_tools_configured: None, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    on_path = _fake_tool(tmp_path / "bin", "kubectl")
    monkeypatch.setenv("PATH", str(on_path.parent))
    monkeypatch.setattr(binaries, "extracted_tool", lambda *a, **k: pytest.fail("extracted despite PATH"))
    assert find_tool("kubectl") == on_path


def test_without_any_source_the_reason_names_each_place_looked(
    no_tools_configured: None, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(binaries, "LAYER_DISTRIBUTION", "kfstack-no-such-distribution")
    with pytest.raises(ToolNotFound) as caught:
        find_tool("helm", cache_dir=tmp_path / "cache")
    message = str(caught.value)
    assert "$KFSTACK_HELM is unset" in message
    assert "no helm on PATH" in message
    assert "kfstack-no-such-distribution package is not installed" in message


@pytest.mark.parametrize(
    ("tool", "version_args", "expected"),
    [
        ("helm", ["version", "--short"], "v4.1."),
        ("kubectl", ["version", "--client"], "Client Version: v1.33."),
    ],
    ids=["helm", "kubectl"],
)
def test_tool_is_extracted_once_and_runs(
    tool: Tool,
    version_args: list[str],
    expected: str,
    layer_installed: None,
    no_tools_configured: None,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    found = find_tool(tool, cache_dir=tmp_path)
    assert found.is_relative_to(tmp_path) and found.name == tool
    assert os.access(found, os.X_OK)
    version = subprocess.run([str(found), *version_args], capture_output=True, text=True, check=True)
    assert expected in version.stdout
    # a second lookup reuses the copy instead of extracting again
    monkeypatch.setattr(binaries, "_extract", lambda *a: pytest.fail("extracted a second time"))
    assert find_tool(tool, cache_dir=tmp_path) == found


def test_losing_the_race_uses_the_winners_copy(
    layer_installed: None, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    real_extract = binaries._extract
    winner = tmp_path / "winner"

    def extract_after_another_process_published(tool: Tool, tarball: Path, destination: Path) -> None:
        # the other process finishes first: its copy is in place before ours is renamed
        monkeypatch.setattr(binaries, "_extract", real_extract)
        winner.write_text(str(extracted_tool(tool, tmp_path)))
        real_extract(tool, tarball, destination)

    monkeypatch.setattr(binaries, "_extract", extract_after_another_process_published)
    helm = extracted_tool("helm", tmp_path)
    assert str(helm) == winner.read_text() and os.access(helm, os.X_OK)
    assert sorted(p.name for p in helm.parent.parent.iterdir()) == ["helm"]  # our copy was cleaned up


def test_incomplete_copy_is_replaced(layer_installed: None, tmp_path: Path) -> None:
    helm = extracted_tool("helm", tmp_path)
    helm.unlink()
    (helm.parent / "partial").write_text("left by an interrupted run")
    assert extracted_tool("helm", tmp_path) == helm
    assert os.access(helm, os.X_OK) and not (helm.parent / "partial").exists()


@pytest.mark.slow
def test_two_processes_extracting_at_once_both_get_a_working_copy(
    layer_installed: None, tmp_path: Path
) -> None:
    script = (
        "import sys; from pathlib import Path; from kfstack.plan.binaries import extracted_tool; "
        "print(extracted_tool('helm', Path(sys.argv[1])))"
    )
    racers = [
        subprocess.Popen([sys.executable, "-c", script, str(tmp_path)], stdout=subprocess.PIPE, text=True)
        for _ in range(2)
    ]
    paths = {racer.communicate(timeout=120)[0].strip() for racer in racers}
    assert all(racer.returncode == 0 for racer in racers)
    assert len(paths) == 1
    helm = Path(paths.pop())
    assert subprocess.run(
        [str(helm), "version", "--short"], capture_output=True, text=True, check=True
    ).stdout
    # only the published copy is left: no temporary extraction directories
    assert sorted(p.name for p in helm.parent.parent.iterdir()) == ["helm"]
