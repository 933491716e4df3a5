"""Recurring-run schedule rules and their KFP wire form (`v2beta1Trigger`).

KFP's ScheduledWorkflow controller parses cron with seconds first (6 fields), e.g.
`0 0 3 * * *` is 03:00:00 daily; a 5-field crontab line would be read shifted by one field.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from kfp_server_api import models

from modules.kfp.props import is_unknown

_CRON_FIELDS = ("second", "minute", "hour", "day-of-month", "month", "day-of-week")
_CRON_RANGES = ((0, 59), (0, 59), (0, 23), (1, 31), (1, 12), (0, 6))
MIN_CONCURRENCY, MAX_CONCURRENCY = 1, 10


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
            if len(bounds) > 2 or not all(b.isdigit() for b in bounds):
                return f"{name} field '{part}': expected numbers, ranges, steps or '*'"
            if any(not low <= int(b) <= high for b in bounds):
                return f"{name} field '{part}': values must be within {low}-{high}"
    return None


def whole_number_in(value: Any, low: float, high: float) -> bool:
    """Whether `value` is a number (not a bool) with no fraction, within low..high."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return False
    return float(value).is_integer() and low <= value <= high


def schedule_problems(props: Mapping[str, Any]) -> Iterator[tuple[str, str]]:
    """(property, reason) for every schedule rule `props` breaks; unknown values are not judged."""
    cron, interval = props.get("cron"), props.get("interval_seconds")
    if not (is_unknown(cron) or is_unknown(interval)) and (cron is None) == (interval is None):
        yield "cron", "set exactly one of cron or interval_seconds"
    if isinstance(cron, str) and not is_unknown(cron) and (why := cron_problem(cron)):
        yield "cron", f"{why} (got {cron!r})"
    if interval is not None and not is_unknown(interval) and not whole_number_in(interval, 1, float("inf")):
        yield "interval_seconds", f"must be a whole, positive number of seconds, got {interval!r}"
    concurrency = props.get("max_concurrency")
    in_range = whole_number_in(concurrency, MIN_CONCURRENCY, MAX_CONCURRENCY)
    if concurrency is not None and not is_unknown(concurrency) and not in_range:
        yield (
            "max_concurrency",
            f"must be a whole number {MIN_CONCURRENCY}..{MAX_CONCURRENCY}, got {concurrency!r}",
        )


def trigger(cron: str | None, interval_seconds: int | None) -> models.V2beta1Trigger:
    """The KFP trigger for a cron expression or an interval (int64 travels as a string)."""
    if cron is not None:
        return models.V2beta1Trigger(cron_schedule=models.V2beta1CronSchedule(cron=cron))
    return models.V2beta1Trigger(
        periodic_schedule=models.V2beta1PeriodicSchedule(interval_second=str(int(interval_seconds or 0)))
    )


def schedule_of(live: models.V2beta1Trigger | None) -> dict[str, Any]:
    """`{"cron": ...}` or `{"interval_seconds": ...}` from a live trigger (empty if it has neither)."""
    if live is None:
        return {}
    if live.cron_schedule is not None and live.cron_schedule.cron:
        return {"cron": live.cron_schedule.cron}
    if live.periodic_schedule is not None and live.periodic_schedule.interval_second:
        return {"interval_seconds": int(live.periodic_schedule.interval_second)}
    return {}
