"""KFP's cron: 6 fields, seconds first (`0 0 3 * * *` is 03:00:00 daily).

KFP's ScheduledWorkflow controller reads a 5-field crontab line shifted by one field, so the
schema rejects it. Dependency-free: the config schema imports this rule too.
"""

from __future__ import annotations

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
            if len(bounds) > 2 or not all(b.isdigit() for b in bounds):
                return f"{name} field '{part}': expected numbers, ranges, steps or '*'"
            if any(not low <= int(b) <= high for b in bounds):
                return f"{name} field '{part}': values must be within {low}-{high}"
    return None
