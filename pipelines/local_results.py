"""Read what a kfp.local run produced: each task's executor_output.json under the run dir."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass
class Collected:
    """The outputs the run summary needs."""

    metrics: dict[str, float] = field(default_factory=dict)
    comparison: dict[str, Any] = field(default_factory=dict)
    registered_version: str | None = None
    storage_uri: str | None = None
    promote: dict[str, Any] = field(default_factory=dict)
    deploy: dict[str, Any] = field(default_factory=dict)
    endpoint: dict[str, Any] = field(default_factory=dict)


def task_outputs(run_dir: Path) -> dict[str, dict[str, Any]]:
    """Task name -> {"parameters": {...}, "artifacts": {output: metadata}}."""
    outputs: dict[str, dict[str, Any]] = {}
    for path in sorted(run_dir.rglob("executor_output.json")):
        raw = json.loads(path.read_text())
        artifacts = {
            name: (entry.get("artifacts") or [{}])[0].get("metadata", {})
            for name, entry in raw.get("artifacts", {}).items()
        }
        outputs[path.parent.name] = {
            "parameters": raw.get("parameterValues", {}), "artifacts": artifacts}
    return outputs


def collect(run_dir: Path) -> Collected:
    """Metrics, comparison, registered version, deploy validation and endpoint test results."""
    tasks = task_outputs(run_dir)
    found = Collected()
    if "evaluate" in tasks:
        found.metrics = {k: float(v) for k, v in tasks["evaluate"]["artifacts"]
                         .get("metrics", {}).items()}
    if "compare-with-champion" in tasks:
        found.comparison = dict(tasks["compare-with-champion"]["artifacts"].get("comparison", {}))
    if "register-challenger" in tasks:
        registered = tasks["register-challenger"]["parameters"]
        found.registered_version = registered.get("version")
        found.storage_uri = registered.get("storage_uri")
    if "deploy" in tasks:
        found.deploy = dict(tasks["deploy"]["artifacts"].get("manifest", {}))
        found.deploy["endpoint_url"] = tasks["deploy"]["parameters"].get("endpoint_url")
        found.deploy["service"] = tasks["deploy"]["parameters"].get("service")
    if "promote" in tasks:
        found.promote = dict(tasks["promote"]["artifacts"].get("manifest", {}))
    if "integration-test" in tasks:
        found.endpoint = dict(tasks["integration-test"]["artifacts"].get("results", {}))
    return found
