import pytest

from stacks.config.pipeline_schedules import cron_problem

EXPERIMENTS = {"retrain": {}}


def schedule(**fields):
    return {
        "experiments": EXPERIMENTS,
        "schedules": {"nightly": {"pipeline": "retrain", "experiment": "retrain", **fields}},
    }


@pytest.mark.parametrize(
    "expression", ["0 0 3 * * *", "*/30 * * * * ?", "0 15 2 1-15 1,6 0-4", "0 0 */2 * * *"]
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
        ("0 0 3 * * */x", "step must be a number"),
    ],
)
def test_invalid_cron_is_explained(expression: str, reason: str) -> None:
    assert reason in (cron_problem(expression) or "")


def test_five_field_cron_is_rejected_with_its_path(problems) -> None:
    found = problems(pipelines=schedule(cron="0 3 * * *"))
    assert "6 fields" in found["kfstack:pipelines.schedules.nightly.cron"]


def test_exactly_one_of_cron_or_interval(problems) -> None:
    both = problems(pipelines=schedule(cron="0 0 3 * * *", intervalSeconds=3600))
    neither = problems(pipelines=schedule())
    assert both["kfstack:pipelines.schedules.nightly.cron"] == "set exactly one of cron or intervalSeconds"
    assert neither["kfstack:pipelines.schedules.nightly.cron"] == "set exactly one of cron or intervalSeconds"
    assert problems(pipelines=schedule(intervalSeconds=3600)) == {}


@pytest.mark.parametrize("value", [0, 11])
def test_max_concurrency_is_one_to_ten(problems, value: int) -> None:
    found = problems(pipelines=schedule(cron="0 0 3 * * *", maxConcurrency=value))
    assert "kfstack:pipelines.schedules.nightly.maxConcurrency" in found


def test_schedule_must_reference_a_defined_experiment(problems) -> None:
    found = problems(
        pipelines={"schedules": {"n": {"pipeline": "retrain", "experiment": "nope", "cron": "0 0 3 * * *"}}}
    )
    assert found == {
        "kfstack:pipelines.schedules.n.experiment": "unknown experiment; defined under pipelines.experiments: none defined"
    }


def test_schedule_must_name_a_shipped_pipeline(problems) -> None:
    found = problems(pipelines={"experiments": EXPERIMENTS, "schedules": {"n": {"pipeline": "retrian", "experiment": "retrain", "cron": "0 0 3 * * *"}}})
    assert found == {"kfstack:pipelines.schedules.n.pipeline": "unknown pipeline; known: train-and-deploy, retrain"}
