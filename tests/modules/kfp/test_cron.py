"""KFP's 6-field cron (seconds first)."""

from __future__ import annotations

import pytest

from modules.kfp.cron import cron_problem


@pytest.mark.parametrize(
    "expression",
    ["0 0 3 * * *", "*/30 * * * * ?", "0 15 2 1-15 1,6 0-4", "0 0 */2 * * *", "0 15 2 1-5 * 1,3,5", "0 0 0 ? * 0"],
)
def test_valid_six_field_cron(expression: str) -> None:
    assert cron_problem(expression) is None


@pytest.mark.parametrize(
    ("expression", "reason"),
    [
        ("0 3 * * *", "6 fields"),
        ("0 0 25 * * *", "hour field '25': values must be within 0-23"),
        ("0 0 3 * 13 *", "month field '13'"),
        ("0 0 3 * * mon", "day-of-week field 'mon': expected numbers"),
        ("0 */x * * * *", "step must be a number"),
    ],
)
def test_invalid_cron_is_explained(expression: str, reason: str) -> None:
    assert reason in (cron_problem(expression) or "")
