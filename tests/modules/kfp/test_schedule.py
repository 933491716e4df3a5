"""Schedule rules and the v2beta1Trigger wire form."""

from __future__ import annotations

from modules.kfp.schedule import schedule_of, schedule_problems, trigger


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
