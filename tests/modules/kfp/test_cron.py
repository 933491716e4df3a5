"""KFP's 6-field cron (seconds first), as robfig/cron v1 reads it: valid and invalid side by side."""

from __future__ import annotations

import pytest

from modules.kfp.cron import cron_problem


@pytest.mark.parametrize(
    "expression",
    [
        "0 0 3 * * *",
        "*/30 * * * * ?",
        "0 15 2 1-15 1,6 0-4",
        "0 0 */2 * * *",
        "0 15 2 1-5 * 1,3,5",
        "0 0 0 ? * 0",
    ],
)
def test_valid_six_field_cron(expression: str) -> None:
    assert cron_problem(expression) is None


# (accepted, rejected, why the second is rejected): each rule with a valid and an invalid example.
SIDE_BY_SIDE = [
    ("0 0 3 * * *", "0 3 * * *", "6 fields"),
    ("0 0 23 * * *", "0 0 25 * * *", "hour field '25': values must be within 0-23"),
    ("0 0 3 * 12 *", "0 0 3 * 13 *", "month field '13'"),
    ("0 0 3 * * MON-FRI", "0 0 3 * * MON-FRY", "day-of-week field 'MON-FRY': expected numbers or names"),
    ("0 0 3 * * mon", "0 0 3 * * monday", "day-of-week field 'monday'"),
    ("0 0 3 1 JAN-DEC *", "0 0 3 1 JAN-DEX *", "month field 'JAN-DEX'"),
    ("0 0 3 * jan,jul sun", "0 0 3 JAN * *", "day-of-month field 'JAN': expected numbers, ranges"),
    ("0 */5 * * * *", "0 */x * * * *", "step must be a number"),
    ("0 5/15 * * * *", "0 5/0 * * * *", "step must be at least 1"),
    ("0 0 9-17/2 * * *", "0 0 17-9 * * *", "range start 17 is after its end 9"),
    ("0 0 3 ? * ?", "0 0 3 ?? * *", "day-of-month field '??'"),
    ("0 0,30 * * * *", "0 0-1-2 * * * *", "minute field '0-1-2'"),
    ("0 0 3 * * 6", "0 0 3 * * 7", "day-of-week field '7': values must be within 0-6"),
    ("0 0 3 * * *", "0 0 ٣ * * *", "hour field '٣': expected numbers"),  # Arabic-Indic three
    ("0 0 3 * * *", "0 0 ³ * * *", "hour field '³': expected numbers"),  # superscript three
    ("0 0 +3 * * *", "0 0 3.0 * * *", "hour field '3.0'"),  # Go's Atoi takes a + sign
    ("@daily", "@fortnightly", "unknown descriptor '@fortnightly'"),
    ("@every 1h30m", "@every 1 hour", "'@every 1 hour': expected a duration"),
]


@pytest.mark.parametrize(("valid", "invalid", "reason"), SIDE_BY_SIDE)
def test_each_rule_accepts_one_and_rejects_the_other(valid: str, invalid: str, reason: str) -> None:
    assert cron_problem(valid) is None
    why = cron_problem(invalid)
    assert why is not None and reason in why, why
