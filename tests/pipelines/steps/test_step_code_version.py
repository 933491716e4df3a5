import subprocess
from pathlib import Path

from pipelines.steps import code_version

REPO = Path(__file__).resolve().parents[3]


def test_environment_variable_wins(monkeypatch):
    monkeypatch.setenv(code_version.CODE_VERSION_ENV, "abc123")
    assert code_version.code_version() == "abc123"


def test_checkout_commit_of_the_pipelines_package(monkeypatch):
    monkeypatch.delenv(code_version.CODE_VERSION_ENV, raising=False)
    head = subprocess.run(["git", "-C", str(REPO), "rev-parse", "HEAD"], capture_output=True,
                          text=True, check=True).stdout.strip()
    assert code_version.code_version().removesuffix("-dirty") == head


def test_no_git_is_unknown(monkeypatch):
    monkeypatch.delenv(code_version.CODE_VERSION_ENV, raising=False)
    monkeypatch.setenv("PATH", "/nonexistent")
    assert code_version.code_version() == "unknown"
