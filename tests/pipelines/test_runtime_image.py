"""The runtime image's build files: the Dockerfile installs what requirements.lock pins, the build
context leaves local state out, and the workflow that builds and pushes it is a valid GitHub workflow.

No Docker here: these check the files, not a built image.
"""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import yaml
from docker.utils.build import exclude_paths

ROOT = Path(__file__).resolve().parents[2]
DOCKERFILE = ROOT / "pipelines" / "image" / "Dockerfile"
WORKFLOW = ROOT / ".github" / "workflows" / "runtime-image.yml"


def _instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) of the Dockerfile, continuation lines joined, comments dropped."""
    joined = re.sub(r"\\\n", " ", DOCKERFILE.read_text())
    result = []
    for line in joined.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            instruction, _, arguments = line.partition(" ")
            result.append((instruction.upper(), arguments.strip()))
    return result


def _lock() -> dict[str, str]:
    pins = {}
    for line in (ROOT / "requirements.lock").read_text().splitlines():
        if line and not line.startswith((" ", "#")):
            name, _, version = line.partition("==")
            pins[re.sub(r"[-_.]+", "-", name.lower())] = version
    return pins


def _runs() -> list[list[str]]:
    """Each RUN as its `&&`-separated shell commands, split into words."""
    commands = []
    for instruction, arguments in _instructions():
        if instruction == "RUN":
            commands += [shlex.split(part) for part in arguments.split("&&")]
    return commands


def test_the_dependencies_are_installed_pinned_by_the_lock_before_the_sources_are_copied() -> None:
    instructions = _instructions()
    runs = _runs()
    pip_installs = [c for c in runs if c[:2] == ["pip", "install"]]
    locked = next(c for c in pip_installs if "-c" in c)
    assert locked[locked.index("-c") + 1] == "requirements.lock"
    requirements = locked[locked.index("-r") + 1]
    # the -r file is generated from pyproject's runtime dependencies: every one of them is pinned
    dependencies = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    pins = _lock()
    for dependency in dependencies:
        name = re.sub(r"[-_.]+", "-", re.split(r"[<>=!~\[ ;]", dependency, maxsplit=1)[0].lower())
        assert name in pins, f"{dependency} is not pinned in requirements.lock"
    assert any(requirements in " ".join(c) and "tomllib" in " ".join(c) for c in runs)
    copies = [i for i, (instruction, _) in enumerate(instructions) if instruction == "COPY"]
    first_copy = instructions[copies[0]][1].split()
    assert first_copy[:-1] == ["pyproject.toml", "requirements.lock"]
    locked_run = next(i for i, (ins, args) in enumerate(instructions) if ins == "RUN" and "-c requirements.lock" in args)
    assert copies[0] < locked_run < copies[1], "the pinned install must come before the sources are copied"


def test_the_package_is_installed_without_dependencies_or_unpinned_build_tools() -> None:
    pip_installs = [c for c in _runs() if c[:2] == ["pip", "install"]]
    package = next(c for c in pip_installs if c[-1] == ".")
    assert {"--no-deps", "--no-build-isolation"} <= set(package)
    build_backend = next(c for c in pip_installs if any(a.startswith("setuptools") for a in c))
    assert build_backend[-1] == "setuptools==${SETUPTOOLS_VERSION}"
    arg = next(a for i, a in _instructions() if i == "ARG" and a.startswith("SETUPTOOLS_VERSION="))
    assert re.fullmatch(r"SETUPTOOLS_VERSION=\d+\.\d+\.\d+", arg)
    requires = tomllib.loads((ROOT / "pyproject.toml").read_text())["build-system"]["requires"]
    assert requires == ["setuptools>=68"] and int(arg.split("=")[1].split(".")[0]) >= 68
    assert ["pip", "check"] in _runs()


def test_the_import_check_runs_against_the_installed_package_not_the_sources() -> None:
    instructions = _instructions()
    check = max(i for i, (ins, args) in enumerate(instructions) if ins == "RUN" and "import pipelines" in args)
    removal = next(i for i, (ins, args) in enumerate(instructions) if ins == "RUN" and "rm -rf /build" in args)
    workdirs = [(i, args) for i, (ins, args) in enumerate(instructions) if ins == "WORKDIR"]
    assert removal < check
    assert [args for i, args in workdirs if i < check][-1] != "/build"
    code = instructions[check][1]
    assert "site-packages" in code
    for module in ("pipelines.components", "pipelines.steps.rollout", "pipelines.steps.registry", "sklearn",
                   "mlflow", "kubernetes"):
        assert module in code


def test_every_file_the_dockerfile_copies_is_in_the_build_context() -> None:
    patterns = [p for p in (ROOT / ".dockerignore").read_text().splitlines() if p and not p.startswith("#")]
    context = exclude_paths(str(ROOT), patterns)
    for instruction, arguments in _instructions():
        if instruction == "COPY":
            for source in arguments.split()[:-1]:
                assert source in context or any(p.startswith(source + "/") for p in context), source
    assert "pipelines/steps/rollout.py" in context


@pytest.mark.parametrize(
    "path",
    [
        ".git/HEAD",
        ".venv/bin/python",
        ".kfstack/local/runs/1/log.txt",  # `kfstack pipelines run --local`'s default workdir
        "work/.kfstack/local/registry.db",
        ".pytest_cache/v/cache/nodeids",
        ".mypy_cache/3.11/x.json",
        "mlruns/0/meta.yaml",
        "kfstack.egg-info/PKG-INFO",
        "build/lib/pipelines/__init__.py",
        "pipelines/steps/__pycache__/serving.cpython-311.pyc",
        "out/prod.json",
        "tests/pipelines/test_runtime_image.py",
    ],
)
def test_local_state_stays_out_of_the_build_context(tmp_path: Path, path: str) -> None:
    (tmp_path / ".dockerignore").write_text((ROOT / ".dockerignore").read_text())
    for name in (path, "pyproject.toml", "pipelines/steps/serving.py"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("x")
    patterns = [p for p in (tmp_path / ".dockerignore").read_text().splitlines() if p and not p.startswith("#")]
    context = exclude_paths(str(tmp_path), patterns)
    assert path not in context
    assert {"pyproject.toml", "pipelines/steps/serving.py"} <= context


def test_the_gitignored_local_state_is_dockerignored_too() -> None:
    ignored = {line.strip("/") for line in (ROOT / ".gitignore").read_text().splitlines() if line.strip()}
    patterns = {p for p in (ROOT / ".dockerignore").read_text().splitlines() if p and not p.startswith("#")}
    for entry in ignored:
        assert entry in patterns or f"**/{entry}" in patterns, entry


def test_the_workflow_is_valid_against_the_github_workflow_schema() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "check_jsonschema", "--builtin-schema", "vendor.github-workflows", str(WORKFLOW)],
        capture_output=True, text=True, check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_workflow_builds_and_pushes_to_ghcr_by_version_and_commit_and_reports_the_digest() -> None:
    workflow = yaml.safe_load(WORKFLOW.read_text())
    job = workflow["jobs"]["build"]
    assert workflow["permissions"] == {"contents": "read", "packages": "write"}
    steps = {step.get("id", step.get("name")): step for step in job["steps"]}
    uses = [step.get("uses", "").split("@")[0] for step in job["steps"]]
    assert uses.index("actions/checkout") < uses.index("docker/login-action") < uses.index("docker/build-push-action")
    assert steps["Log in to ghcr.io"]["with"]["registry"] == "ghcr.io"
    assert steps["meta"]["with"]["images"] == "ghcr.io/${{ github.repository_owner }}/pipelines-runtime"
    tags = [line.strip() for line in steps["meta"]["with"]["tags"].splitlines() if line.strip()]
    assert "type=raw,value=${{ steps.version.outputs.version }}" in tags
    assert "type=sha,format=long" in tags
    build = steps["build"]["with"]
    assert build["file"] == "pipelines/image/Dockerfile" and build["context"] == "."
    assert build["tags"] == "${{ steps.meta.outputs.tags }}"
    assert "pull_request" in build["push"]
    assert job["outputs"]["digest"] == "${{ steps.build.outputs.digest }}"
    assert "${DIGEST}" in steps["ref"]["run"] and steps["ref"]["env"]["DIGEST"] == "${{ steps.build.outputs.digest }}"
    assert "pyproject.toml" in steps["version"]["run"]


def test_the_image_records_the_commit_it_was_built_from_as_the_code_version() -> None:
    """The image has no .git: registered models get their code version from the build argument."""
    from pipelines.steps.code_version import CODE_VERSION_ENV

    instructions = _instructions()
    assert ("ARG", f"{CODE_VERSION_ENV}=unknown") in instructions
    assert ("ENV", f"{CODE_VERSION_ENV}=${{{CODE_VERSION_ENV}}}") in instructions
    build = yaml.safe_load(WORKFLOW.read_text())["jobs"]["build"]
    (step,) = [s for s in build["steps"] if s.get("id") == "build"]
    assert f"{CODE_VERSION_ENV}=${{{{ github.sha }}}}" in step["with"]["build-args"].splitlines()
