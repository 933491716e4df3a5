"""One-off runs for the CLI: submit a run of a registered version and follow its state."""

from __future__ import annotations

import pytest

from modules.kfp.connection import KfpConnection
from modules.kfp.errors import KfpMissingParent, RetryPolicy
from modules.kfp.experiment import ExperimentProvider
from modules.kfp.pipeline import PipelineProvider
from modules.kfp.pipeline_version import PipelineVersionProvider
from modules.kfp.runs import KfpRunTimeout, run_states, submit_run, wait_for_run
from tests.modules.kfp.kfp_api_server import KfpApiServer
from tests.modules.kfp.support import MINIMAL_SPEC, Sleeps, props


@pytest.fixture
def registered(kfp_server: KfpApiServer, connection: KfpConnection) -> dict[str, str]:
    pipeline = PipelineProvider().create(props(connection, name="retrain"))
    version = PipelineVersionProvider().create(
        props(connection, pipeline_id=pipeline.id, name="retrain-1", spec=MINIMAL_SPEC, keep_versions=2)
    )
    experiment = ExperimentProvider().create(props(connection, name="adhoc"))
    return {"pipeline_id": pipeline.id, "version_id": version.id, "experiment_id": experiment.id}


def test_submit_run_creates_a_version_referenced_run(
    kfp_server: KfpApiServer, connection: KfpConnection, registered: dict[str, str]
) -> None:
    status = submit_run(connection, **registered, parameters={"window_days": 3.0}, display_name="retrain")

    body = kfp_server.calls("RunService_CreateRun")[0].body
    assert body["pipeline_version_reference"] == {
        "pipeline_id": registered["pipeline_id"],
        "pipeline_version_id": registered["version_id"],
    }
    assert body["runtime_config"] == {"parameters": {"window_days": 3}}
    assert body["experiment_id"] == registered["experiment_id"]
    assert status.display_name.startswith("retrain-") and status.state == "PENDING"
    assert status.run_id in kfp_server.store.runs


def test_run_states_yields_each_change_until_terminal(
    kfp_server: KfpApiServer, connection: KfpConnection, registered: dict[str, str], sleeps: Sleeps
) -> None:
    run = submit_run(connection, **registered)
    kfp_server.script_run_states(run.run_id, ["PENDING", "RUNNING", "RUNNING", "SUCCEEDED"])

    states = [s.state for s in run_states(connection, run.run_id, poll_seconds=2, sleep=sleeps)]

    assert states == ["PENDING", "RUNNING", "SUCCEEDED"]
    assert sleeps.delays == [2, 2, 2]


def test_wait_for_run_returns_the_final_status(
    kfp_server: KfpApiServer, connection: KfpConnection, registered: dict[str, str], sleeps: Sleeps
) -> None:
    run = submit_run(connection, **registered)
    kfp_server.script_run_states(run.run_id, ["RUNNING", "FAILED"])
    final = wait_for_run(connection, run.run_id, poll_seconds=1, sleep=sleeps)
    assert final.finished and not final.succeeded and final.finished_at is not None


def test_run_states_times_out(
    kfp_server: KfpApiServer, connection: KfpConnection, registered: dict[str, str]
) -> None:
    run = submit_run(connection, **registered)
    kfp_server.script_run_states(run.run_id, ["RUNNING"])
    now = iter(range(0, 1000, 30))
    with pytest.raises(KfpRunTimeout, match="still RUNNING after 60"):
        list(
            run_states(
                connection, run.run_id, timeout_seconds=60, sleep=lambda _: None, clock=lambda: next(now)
            )
        )


def test_submit_after_a_lost_answer_does_not_start_two_runs(
    kfp_server: KfpApiServer, connection: KfpConnection, registered: dict[str, str], retry: RetryPolicy
) -> None:
    kfp_server.fail_next(1, status=503, method="POST", path_contains="/runs", after_processing=True)
    status = submit_run(connection, **registered, retry=retry)
    assert list(kfp_server.store.runs) == [status.run_id]


def test_submit_names_a_missing_version(
    kfp_server: KfpApiServer, connection: KfpConnection, registered: dict[str, str]
) -> None:
    with pytest.raises(KfpMissingParent, match="pipeline version nope of pipeline"):
        submit_run(connection, registered["pipeline_id"], "nope", registered["experiment_id"])
    assert kfp_server.calls("RunService_CreateRun") == []


def test_find_registered_version_returns_the_ids_by_name(
    kfp_server: KfpApiServer, connection: KfpConnection, registered: dict[str, str]
) -> None:
    from modules.kfp.runs import find_registered_version

    kfp_server.clear_log()
    found = find_registered_version(connection, "retrain", "retrain-1", "adhoc")
    assert (found.pipeline_id, found.version_id, found.experiment_id) == (
        registered["pipeline_id"], registered["version_id"], registered["experiment_id"]
    )
    assert kfp_server.mutations() == []


@pytest.mark.parametrize(
    ("pipeline", "version", "experiment", "message"),
    [
        ("nope", "retrain-1", "adhoc", "pipeline 'nope' is not registered in namespace team-a"),
        ("retrain", "retrain-2", "adhoc", "pipeline 'retrain' has no version 'retrain-2' in namespace team-a"),
        ("retrain", "retrain-1", "other", "experiment 'other' is not registered in namespace team-a"),
    ],
)
def test_find_registered_version_names_what_is_missing(
    connection: KfpConnection, registered: dict[str, str], pipeline: str, version: str, experiment: str, message: str
) -> None:
    from modules.kfp.runs import find_registered_version

    with pytest.raises(KfpMissingParent, match=message):
        find_registered_version(connection, pipeline, version, experiment)


def test_run_url_is_the_kfp_ui_page_under_the_api_base(connection: KfpConnection) -> None:
    from modules.kfp.runs import run_url

    assert run_url(connection, "r-1") == f"{connection.endpoint}/#/runs/details/r-1"
