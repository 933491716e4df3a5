"""Schedule rules and the v2beta1Trigger wire form."""

from __future__ import annotations

import pytest

from modules.kfp.schedule import cron_problem, schedule_of, schedule_problems, trigger


@pytest.mark.parametrize("cron", ["0 0 3 * * *", "*/30 * * * * ?", "0 15 2 1-5 * 1,3,5", "0 0 0 ? * 0"])
def test_valid_six_field_crons(cron: str) -> None:
    assert cron_problem(cron) is None


@pytest.mark.parametrize(
    ("cron", "why"),
    [
        ("0 3 * * *", "6 fields"),
        ("0 0 25 * * *", "within 0-23"),
        ("0 0 3 * * MON", "expected numbers"),
        ("0 */x * * * *", "step"),
    ],
)
def test_invalid_crons_say_why(cron: str, why: str) -> None:
    problem = cron_problem(cron)
    assert problem is not None and why in problem


def test_exactly_one_trigger_and_concurrency_bounds() -> None:
    assert [p for p, _ in schedule_problems({"max_concurrency": 1})] == ["cron"]
    assert [
        p for p, _ in schedule_problems({"cron": "0 0 3 * * *", "interval_seconds": 60, "max_concurrency": 1})
    ] == ["cron"]
    assert [p for p, _ in schedule_problems({"interval_seconds": 1.5, "max_concurrency": 10})] == [
        "interval_seconds"
    ]
    assert [p for p, _ in schedule_problems({"interval_seconds": 60, "max_concurrency": True})] == [
        "max_concurrency"
    ]


def test_trigger_round_trip() -> None:
    assert schedule_of(trigger("0 0 3 * * *", None)) == {"cron": "0 0 3 * * *"}
    periodic = trigger(None, 3600)
    assert periodic.periodic_schedule.interval_second == "3600"  # int64 as a string
    assert schedule_of(periodic) == {"interval_seconds": 3600}
