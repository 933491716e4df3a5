"""kfstack/ops/file_backend.py: the local state folder exists and is git-ignored, once."""

from pathlib import Path

from kfstack.ops.file_backend import ensure_file_backend, login_url
from kfstack.ops.outcomes import Outcome


def test_creates_the_folder_and_ignores_it_then_changes_nothing(tmp_path: Path) -> None:
    (tmp_path / ".gitignore").write_text(".venv/")  # no trailing newline
    first = ensure_file_backend(tmp_path)
    assert [s.outcome for s in first] == [Outcome.CREATED, Outcome.UPDATED]
    assert (tmp_path / ".pulumi-state").is_dir()
    assert (tmp_path / ".gitignore").read_text() == ".venv/\n/.pulumi-state/\n"
    second = ensure_file_backend(tmp_path)
    assert [s.outcome for s in second] == [Outcome.UNCHANGED, Outcome.UNCHANGED]
    assert (tmp_path / ".gitignore").read_text() == ".venv/\n/.pulumi-state/\n"


def test_an_existing_ignore_line_in_another_form_is_accepted(tmp_path: Path) -> None:
    (tmp_path / ".gitignore").write_text(".pulumi-state/\n")
    steps = ensure_file_backend(tmp_path)
    assert steps[1].outcome is Outcome.UNCHANGED
    assert (tmp_path / ".gitignore").read_text() == ".pulumi-state/\n"


def test_login_url_is_an_absolute_file_url(tmp_path: Path) -> None:
    assert login_url(tmp_path) == f"file://{tmp_path.resolve()}/.pulumi-state"
    assert login_url(tmp_path).startswith("file:///")


def test_the_repository_ignores_its_state_folder() -> None:
    root = Path(__file__).resolve().parents[3]
    assert "/.pulumi-state/" in (root / ".gitignore").read_text().splitlines()
