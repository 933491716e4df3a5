"""Recurring-run schedule rules and their KFP wire form (`v2beta1Trigger`).

KFP's ScheduledWorkflow controller parses cron with seconds first (6 fields), e.g.
`0 0 3 * * *` is 03:00:00 daily; a 5-field crontab line would be read shifted by one field.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from kfp_server_api import models

from modules.kfp.cron import cron_problem
from modules.kfp.props import is_unknown

MIN_CONCURRENCY, MAX_CONCURRENCY = 1, 10


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
