"""The `local` environment's file state backend: a git-ignored folder of the repository."""

from __future__ import annotations

from pathlib import Path

from kfstack.ops.outcomes import Outcome, Step

STATE_DIRECTORY = ".pulumi-state"


def login_url(repository: Path) -> str:
    """The `pulumi login` URL of the folder (file:// and an absolute path: three slashes)."""
    return f"file://{(repository / STATE_DIRECTORY).resolve().as_posix()}"


def ensure_file_backend(repository: Path) -> list[Step]:
    """Create `<repository>/.pulumi-state/` and make sure .gitignore ignores it; idempotent."""
    directory = repository / STATE_DIRECTORY
    steps = [
        Step("state folder", Outcome.UNCHANGED, str(directory))
        if directory.is_dir()
        else _create(directory)
    ]
    steps.append(_ignore(repository / ".gitignore"))
    return steps


def _create(directory: Path) -> Step:
    directory.mkdir(parents=True)
    return Step("state folder", Outcome.CREATED, str(directory))


def _ignore(gitignore: Path) -> Step:
    entry = f"/{STATE_DIRECTORY}/"
    text = gitignore.read_text(encoding="utf-8") if gitignore.is_file() else ""
    accepted = {entry, entry.rstrip("/"), STATE_DIRECTORY, f"{STATE_DIRECTORY}/"}
    if any(line.strip() in accepted for line in text.splitlines()):
        return Step("git-ignored", Outcome.UNCHANGED, f"{gitignore.name} has {STATE_DIRECTORY}")
    separator = "" if not text or text.endswith("\n") else "\n"
    gitignore.write_text(f"{text}{separator}{entry}\n", encoding="utf-8")
    return Step("git-ignored", Outcome.UPDATED, f"added {entry} to {gitignore}")
