"""Run a shipped pipeline end to end on this machine with kfp.local.

Every step's real code runs in a subprocess of this Python; the registry is a real MLflow
registry in a sqlite file under the workdir; the `models` claim is the folder volumes/models
under the workdir (the steps write model files there, pvc:// URIs name them); deploy and
promote validate the InferenceService manifest and write it to serving/ under the workdir,
and a loopback endpoint serves each manifest's model from its storageUri with its protocol.
"""

from __future__ import annotations

import contextlib
import io
import logging
import re
import sys
import threading
import time
import warnings
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pipelines import catalog, params
from pipelines import local_results as results
from pipelines.placement import PipelineTarget, VolumeMount

DEFAULT_WORKDIR = Path(".kfstack") / "local"
_ANSI = re.compile(r"\x1b\[[0-9;]*m")
_STARTED = re.compile(r"Executing task '([^']+)'")
_FINISHED = re.compile(r"Task '([^']+)' finished with status (\w+)")
_JSON_LINE = re.compile(r'^\s*([{}\[\],]+|"[^"]*":.*)$')
_REGISTRY_STEPS = ("compare-with-champion", "register-challenger", "promote")
MODELS_CLAIM = "models"


@dataclass(frozen=True)
class StepEvent:
    """A step started ("running") or ended ("succeeded" / "failed"), with its duration."""

    step: str
    status: str
    seconds: float = 0.0


@dataclass
class LocalRunResult:
    """What a local run did: per-step status, metrics, registry before/after, endpoint test."""

    pipeline: str
    workdir: Path
    run_dir: Path
    log_path: Path
    parameters: dict[str, Any]
    succeeded: bool
    seconds: float
    steps: dict[str, str]
    step_seconds: dict[str, float]
    champion_before: str | None
    champion_after: str | None
    registered_version: str | None
    serving_before: str | None = None
    serving_after: str | None = None
    """The version the champion's InferenceService serves before / after the run."""
    metrics: dict[str, float] = field(default_factory=dict)
    comparison: dict[str, Any] = field(default_factory=dict)
    deploy: dict[str, Any] = field(default_factory=dict)
    endpoint: dict[str, Any] = field(default_factory=dict)
    storage_uri: str | None = None
    error: str | None = None
    failed_step_output: list[str] = field(default_factory=list)

    @property
    def promoted(self) -> bool:
        return (self.registered_version is not None
                and self.champion_after == self.registered_version != self.champion_before)

    @property
    def outcome(self) -> tuple[str, str]:
        """(what happened, why): promoted, kept, rejected (below the floor) or failed."""
        reason = str(self.comparison.get("reason", ""))
        if self.promoted:
            return "promoted", f"v{self.registered_version} passed its endpoint test; {reason}"
        if self.comparison.get("below_floor"):
            return "rejected", reason
        if self.registered_version and self.steps.get("integration-test") == "failed":
            return "failed", (f"challenger v{self.registered_version} failed its endpoint test "
                              f"({self.error}); not promoted")
        if self.error:
            return "failed", self.error
        return "kept", reason or "champion unchanged"


class _StepTracker(io.TextIOBase):
    """A stdout replacement: writes the run log and turns kfp.local's task lines into events."""

    def __init__(self, log: io.TextIOBase, on_event: Callable[[StepEvent], None]) -> None:
        self._log, self._on_event = log, on_event
        self._outer = (sys.stdout, sys.stderr)  # callbacks print to the real terminal
        self._buffer = ""
        self.statuses: dict[str, str] = {}
        self.seconds: dict[str, float] = {}
        self.output: dict[str, deque[str]] = {}
        self._current: str | None = None
        self._started = 0.0
        self.before_step: Callable[[str], object] = lambda step: None

    def write(self, text: str) -> int:
        self._log.write(text)
        self._buffer += text
        *lines, self._buffer = self._buffer.split("\n")
        for line in lines:
            self._line(_ANSI.sub("", line))
        return len(text)

    def _line(self, line: str) -> None:
        if started := _STARTED.search(line):
            self.before_step(started.group(1))
            self._current, self._started = started.group(1), time.perf_counter()
            self.output[self._current] = deque(maxlen=30)
            self._emit(self._current, "running")
        elif finished := _FINISHED.search(line):
            step = finished.group(1)
            self.seconds[step] = time.perf_counter() - self._started
            ok = finished.group(2) == "SUCCESS"
            self._emit(step, "succeeded" if ok else "failed", self.seconds[step])
            self._current = None
        elif self._current and line.strip():
            self.output[self._current].append(line)

    def _emit(self, step: str, status: str, seconds: float = 0.0) -> None:
        self.statuses[step] = status
        with contextlib.redirect_stdout(self._outer[0]), contextlib.redirect_stderr(self._outer[1]):
            self._on_event(StepEvent(step, status, seconds))


def local_target(workdir: Path) -> PipelineTarget:
    """The placement of local runs: no GPU, the workdir's models claim, manifests in serving/."""
    return PipelineTarget(
        gpu=None, models_volume=VolumeMount(MODELS_CLAIM, str(workdir / "volumes" / MODELS_CLAIM)),
        local_apply_dir=str(workdir / "serving"))


def run_local(
    name: str,
    overrides: dict[str, Any] | None = None,
    workdir: Path | str = DEFAULT_WORKDIR,
    on_event: Callable[[StepEvent], None] | None = None,
    target: PipelineTarget | None = None,
) -> LocalRunResult:
    """Run pipeline `name` locally; raises ParameterError/UnknownPipelineError before any step.

    `target`: build the pipeline for another placement than `local_target(workdir)`; the loopback
    endpoint still mounts only the workdir's `models` claim.
    """
    info = catalog.get_pipeline(name)
    values = params.resolve_parameters(info.default_parameters, overrides or {}, local=True)
    root = Path(workdir).resolve()
    root.mkdir(parents=True, exist_ok=True)
    run_dir = root / "runs" / time.strftime("%Y%m%d-%H%M%S")
    run_dir = _unique(run_dir)
    run_dir.mkdir(parents=True)
    values["registry_uri"] = f"sqlite:///{root / 'mlflow.db'}"
    values["dry_run"] = True
    target = target or local_target(root)
    Path(local_target(root).models_volume.mount_path).mkdir(parents=True, exist_ok=True)  # type: ignore[union-attr]

    started = time.perf_counter()
    from pipelines.local_server import LocalModelServer
    from pipelines.steps import registry, serving

    logging.getLogger("mlflow").setLevel(logging.WARNING)  # schema creation chatter

    # The first registry access imports MLflow and may create the sqlite schema (seconds);
    # do it beside the first steps and wait for it before any step touches the registry.
    lookup = _Background(lambda: registry.find_champion(
        values["registry_uri"], values["model_name"], values["alias"]))
    log_path = run_dir / "run.log"
    error: str | None = None
    loader = _loader(root, values)
    champion_service = serving.service_name(values["model_name"])
    serving_before = _serving_version(loader, champion_service)
    with log_path.open("w") as log, LocalModelServer(loader) as server:
        values["endpoint_url"] = server.url
        tracker = _StepTracker(log, on_event or (lambda event: None))
        tracker.before_step = lambda step: lookup.wait() if step in _REGISTRY_STEPS else None
        try:
            _execute(info.build(target), values, run_dir, tracker)
        except RuntimeError as failure:
            error = _ANSI.sub("", str(failure))
        tracker.write("\n")
    before = lookup.wait()
    after = registry.find_champion(values["registry_uri"], values["model_name"], values["alias"])
    collected = results.collect(run_dir)
    failed = [s for s, status in tracker.statuses.items() if status == "failed"]
    if error and failed:  # kfp.local leaves the task name out for tasks inside a dsl.If
        error = f"step {failed[0]!r} failed ({error})"
    steps = {s: tracker.statuses.get(s, "not run" if error else "skipped") for s in info.steps}
    return LocalRunResult(
        pipeline=name, workdir=root, run_dir=run_dir, log_path=log_path, parameters=values,
        succeeded=error is None, seconds=time.perf_counter() - started, steps=steps,
        step_seconds=dict(tracker.seconds),
        champion_before=before.version if before else None,
        champion_after=after.version if after else None,
        registered_version=collected.registered_version,
        serving_before=serving_before,
        serving_after=_serving_version(loader, champion_service), metrics=collected.metrics,
        comparison=collected.comparison, deploy=collected.deploy, endpoint=collected.endpoint,
        storage_uri=collected.storage_uri,
        error=error,
        failed_step_output=_without_traceback(tracker.output[failed[0]]) if failed else [],
    )


class _Background:
    """Run `func` in a thread; `wait()` returns its result or re-raises its error."""

    def __init__(self, func: Callable[[], Any]) -> None:
        self._result: Any = None
        self._error: BaseException | None = None

        def target() -> None:
            try:
                self._result = func()
            except BaseException as error:  # re-raised in wait()
                self._error = error

        self._thread = threading.Thread(target=target, daemon=True)
        self._thread.start()

    def wait(self) -> Any:
        self._thread.join()
        if self._error is not None:
            raise self._error
        return self._result


def _without_traceback(lines: deque[str]) -> list[str]:
    """A failed step's own messages: traceback frames and kfp's executor-input JSON dropped.

    run.log keeps everything.
    """
    kept: list[str] = []
    frame_indent: int | None = None
    for line in lines:
        indent = len(line) - len(line.lstrip())
        if line.strip().startswith("Traceback (most recent call last)"):
            frame_indent = indent
            continue
        if frame_indent is not None:
            if indent > frame_indent:
                continue
            frame_indent = None  # the final "SomeError: ..." line
        if not _JSON_LINE.match(line):
            kept.append(line)
    return kept


def _unique(path: Path) -> Path:
    candidate, n = path, 1
    while candidate.exists():
        n += 1
        candidate = path.with_name(f"{path.name}-{n}")
    return candidate


def _execute(pipeline: Any, values: dict[str, Any], run_dir: Path, tracker: _StepTracker) -> None:
    from kfp import local

    from pipelines.local_compat import kfp_local_conditions

    local.init(runner=local.SubprocessRunner(use_venv=False), pipeline_root=str(run_dir),
               raise_on_error=True)
    with warnings.catch_warnings(), kfp_local_conditions(), \
            contextlib.redirect_stdout(tracker), contextlib.redirect_stderr(tracker):
        # The runtime image name has no "python" in it; the subprocess runner warns about that.
        warnings.filterwarnings("ignore", message=".*non-Python base image.*")
        pipeline(**values)


def _loader(root: Path, values: dict[str, Any]) -> Any:
    """The loopback endpoint's view of the serving namespace: the manifests under serving/."""
    from pipelines.local_server import ManifestLoader

    mount = local_target(root).models_volume
    assert mount is not None
    return ManifestLoader(root / "serving", values["serving_namespace"],
                          {mount.pvc_name: Path(mount.mount_path)})


def _serving_version(loader: Any, service: str) -> str | None:
    """The model version label of the manifest applied for `service`, if any."""
    manifest = loader.manifest(service)
    if manifest is None:
        return None
    return str(manifest["metadata"].get("labels", {}).get("kfstack.io/model-version")) or None
