"""KFP's cron: 6 fields, seconds first (`0 0 3 * * *` is 03:00:00 daily), as robfig/cron v1 reads it.

KFP's ScheduledWorkflow controller parses `cron` with robfig/cron's `cron.Parse`: fields second,
minute, hour, day-of-month, month, day-of-week; each a comma list of `*`, `?`, a value, a range
`a-b`, with an optional step `/n` (`a/n` means `a-max/n`); months JAN-DEC and days SUN-SAT by name
in any case; or a descriptor (`@daily`, `@every 1h30m`). robfig also takes a 5-field line (day of
week omitted) but reads it seconds first, so a crontab line written minutes first would silently
run at other times: it is rejected here. Dependency-free: the config schema imports this rule too.
"""

from __future__ import annotations

import re

_CRON_FIELDS = ("second", "minute", "hour", "day-of-month", "month", "day-of-week")
_CRON_RANGES = ((0, 59), (0, 59), (0, 23), (1, 31), (1, 12), (0, 6))
_MONTH_NAMES = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_MONTHS = {m: i for i, m in enumerate(_MONTH_NAMES, start=1)}
_DAYS = {d: i for i, d in enumerate(["sun", "mon", "tue", "wed", "thu", "fri", "sat"])}
_NAMES: tuple[dict[str, int], ...] = ({}, {}, {}, {}, _MONTHS, _DAYS)
_DESCRIPTORS = frozenset({"@yearly", "@annually", "@monthly", "@weekly", "@daily", "@midnight", "@hourly"})
# Go's time.ParseDuration, as `@every` takes it: e.g. 90s, 1h30m, 1.5h.
_GO_DURATION = re.compile(r"(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:ns|us|µs|ms|s|m|h)", re.ASCII)
_NUMBER = re.compile(r"\+?[0-9]+", re.ASCII)  # Go's strconv.Atoi: ASCII digits, an optional sign


def _descriptor_problem(expression: str) -> str | None:
    if expression in _DESCRIPTORS:
        return None
    every = expression.removeprefix("@every ")
    if every != expression:
        duration = every.strip()
        if duration == "0" or re.fullmatch(f"(?:{_GO_DURATION.pattern})+", duration, re.ASCII):
            return None
        return f"'@every {duration}': expected a duration such as 90s, 15m or 1h30m"
    return f"unknown descriptor {expression!r}; known: {', '.join(sorted(_DESCRIPTORS))}, @every <duration>"


def _value(text: str, names: dict[str, int]) -> int | None:
    if text.lower() in names:
        return names[text.lower()]
    return int(text) if _NUMBER.fullmatch(text) else None


def _field_problem(part: str, name: str, low: int, high: int, names: dict[str, int]) -> str | None:
    items = [item for item in part.split(",") if item]  # robfig skips empty list items
    if not items:
        return f"{name} field '{part}': empty"
    expected = "expected numbers" + (" or names" if names else "") + ", ranges, steps, '*' or '?'"
    for item in items:
        base, slash, step = item.partition("/")
        if slash and (not _NUMBER.fullmatch(step) or "/" in step):
            return f"{name} field '{part}': step must be a number"
        if slash and int(step) == 0:
            return f"{name} field '{part}': step must be at least 1"
        if base in ("*", "?"):
            continue
        bounds = base.split("-")
        if len(bounds) > 2:
            return f"{name} field '{part}': {expected}"
        values = [_value(b, names) for b in bounds]
        if any(v is None for v in values):
            return f"{name} field '{part}': {expected}"
        start = values[0]
        end = values[-1] if len(values) == 2 else (high if slash else start)
        assert start is not None and end is not None
        if not (low <= start <= high and low <= end <= high):
            return f"{name} field '{part}': values must be within {low}-{high}"
        if start > end:
            return f"{name} field '{part}': range start {start} is after its end {end}"
    return None


def cron_problem(expression: str) -> str | None:
    """Why `expression` is not a cron KFP runs as written (6 fields, seconds first), or None."""
    if expression.startswith("@"):
        return _descriptor_problem(expression)
    parts = expression.split()
    if len(parts) != 6:
        return f"KFP cron has 6 fields (second minute hour day-of-month month day-of-week), got {len(parts)}"
    for part, name, (low, high), names in zip(parts, _CRON_FIELDS, _CRON_RANGES, _NAMES, strict=True):
        if why := _field_problem(part, name, low, high, names):
            return why
    return None
