"""`kfstack:pipelines`: experiments and recurring (retrain) runs managed as resources."""

from __future__ import annotations

from collections.abc import Iterator

from pydantic import Field

from stacks.config.base import ConfigModel
from stacks.config.rules import Violation, violation

_CRON_FIELDS = ("second", "minute", "hour", "day-of-month", "month", "day-of-week")
_CRON_RANGES = ((0, 59), (0, 59), (0, 23), (1, 31), (1, 12), (0, 6))


def cron_problem(expression: str) -> str | None:
    """Why `expression` is not a 6-field KFP cron (seconds first), or None if it is."""
    parts = expression.split()
    if len(parts) != 6:
        return f"KFP cron has 6 fields (second minute hour day-of-month month day-of-week), got {len(parts)}"
    for part, name, (low, high) in zip(parts, _CRON_FIELDS, _CRON_RANGES, strict=True):
        if part in ("*", "?"):
            continue
        for item in part.split(","):
            base, _, step = item.partition("/")
            if step and not step.isdigit():
                return f"{name} field '{part}': step must be a number"
            if base == "*":
                continue
            bounds = base.split("-")
            if not all(b.isdigit() for b in bounds) or len(bounds) > 2:
                return f"{name} field '{part}': expected numbers, ranges, steps or '*'"
            if any(not low <= int(b) <= high for b in bounds):
                return f"{name} field '{part}': values must be within {low}-{high}"
    return None


class ExperimentConfig(ConfigModel):
    """A KFP experiment that groups runs."""

    description: str = ""


class ScheduleConfig(ConfigModel):
    """A recurring run of a registered pipeline. KFP has no update RPC: changes replace it."""

    pipeline: str = Field(description="Pipeline name from `kfstack pipelines list`.")
    experiment: str = Field(description="Experiment key under pipelines.experiments.")
    cron: str | None = Field(None, description="6-field cron, seconds first, e.g. '0 0 3 * * *'.")
    interval_seconds: int | None = Field(None, ge=60, description="Alternative to cron.")
    max_concurrency: int = Field(1, ge=1, le=10, description="Parallel runs allowed (KFP: 1..10).")
    enabled: bool = Field(True)
    no_catchup: bool = Field(True, description="Skip runs missed while paused.")
    parameters: dict[str, str | int | float | bool] = Field(default_factory=dict)

    def rule_problems(self) -> Iterator[Violation]:
        if (self.cron is None) == (self.interval_seconds is None):
            yield violation("cron", "set exactly one of cron or intervalSeconds")
        if self.cron is not None and (why := cron_problem(self.cron)):
            yield violation("cron", why, self.cron)


class PipelinesConfig(ConfigModel):
    """Pipelines, experiments and schedules registered in this environment's KFP."""

    namespace: str = Field("kubeflow-user", description="Profile namespace that owns the runs.")
    gpu_pool: str | None = Field(None, description="Node pool whose toleration/selector GPU steps use.")
    experiments: dict[str, ExperimentConfig] = Field(default_factory=dict)
    schedules: dict[str, ScheduleConfig] = Field(default_factory=dict)

    def rule_problems(self) -> Iterator[Violation]:
        from pipelines.catalog import pipeline_names  # cheap: no kfp import

        known_pipelines = pipeline_names()
        for name, schedule in self.schedules.items():
            if schedule.pipeline not in known_pipelines:
                yield violation(
                    ("schedules", name, "pipeline"),
                    f"unknown pipeline; known: {', '.join(known_pipelines)}",
                    schedule.pipeline,
                )
            if schedule.experiment not in self.experiments:
                known = ", ".join(self.experiments) or "none defined"
                yield violation(
                    ("schedules", name, "experiment"),
                    f"unknown experiment; defined under pipelines.experiments: {known}",
                    schedule.experiment,
                )
