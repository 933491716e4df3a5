"""Version names carry a hash of the compiled spec and the extra content; pruning is tested with the provider."""

from __future__ import annotations

from pathlib import Path

from modules.kfp.versioning import HASH_LENGTH, files_digest, version_hash, version_name
from tests.modules.kfp.support import compiled_spec


def test_same_spec_and_extra_give_the_same_name() -> None:
    assert version_name("retrain", compiled_spec(), b"steps-v1") == version_name(
        "retrain", compiled_spec(), "steps-v1"
    )
    name = version_name("retrain", compiled_spec())
    assert name.startswith("retrain-") and len(name) == len("retrain-") + HASH_LENGTH


def test_spec_or_extra_changes_change_the_name() -> None:
    base = version_name("retrain", compiled_spec("a"), b"x")
    assert version_name("retrain", compiled_spec("b"), b"x") != base
    assert version_name("retrain", compiled_spec("a"), b"y") != base
    assert version_name("retrain", compiled_spec("a"), [b"x", b""]) != base


def test_parts_are_length_prefixed() -> None:
    assert version_hash("ab", "c") != version_hash("a", "bc")
    assert version_hash("s", ["ab", "c"]) != version_hash("s", ["a", "bc"])


def test_files_digest_follows_content_and_paths(tmp_path: Path) -> None:
    (tmp_path / "steps").mkdir()
    (tmp_path / "steps" / "train.py").write_text("print('a')\n")
    (tmp_path / "notes.txt").write_text("ignored")
    first = files_digest(tmp_path)
    (tmp_path / "notes.txt").write_text("changed, still ignored")
    assert files_digest(tmp_path) == first
    (tmp_path / "steps" / "train.py").write_text("print('b')\n")
    assert files_digest(tmp_path) != first
