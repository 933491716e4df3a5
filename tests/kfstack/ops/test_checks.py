"""kfstack/ops/checks.py: the overall verdict and the JSON form of a row."""

from kfstack.ops.checks import Check, Status, worst


def row(status: Status) -> Check:
    return Check("zone", "us-west-2a", status, "state available", {"state": "available"})


def test_worst_status() -> None:
    assert worst([]) is Status.PASS
    assert worst([row(Status.PASS), row(Status.WARN)]) is Status.WARN
    assert worst([row(Status.WARN), row(Status.FAIL), row(Status.PASS)]) is Status.FAIL


def test_json_form() -> None:
    assert row(Status.WARN).as_json() == {
        "category": "zone",
        "subject": "us-west-2a",
        "status": "warn",
        "detail": "state available",
        "figures": {"state": "available"},
    }
