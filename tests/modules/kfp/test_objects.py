"""The KFP objects component: pipelines → versions → schedules wired by id, experiments, secrets."""

from __future__ import annotations

import pulumi

from modules.kfp.connection import KfpConnection
from modules.kfp.objects import ExperimentSpec, KfpObjects, KfpObjectsArgs, PipelineSource, ScheduleSpec
from tests.modules.kfp.support import MINIMAL_SPEC


def _connection() -> KfpConnection:
    # built inside the program: outputs belong to the event loop of the run that records them
    return KfpConnection(
        endpoint="http://localhost:8080/pipeline",
        namespace="team-a",
        auth="oidcToken",
        token=pulumi.Output.secret("eyJhbGciOiJSUzI1NiJ9.hidden-token"),
    )


def _objects(schedules: tuple[ScheduleSpec, ...] = ()) -> None:
    KfpObjects(
        "kfp",
        KfpObjectsArgs(
            connection=_connection(),
            pipelines=(PipelineSource("retrain", "Retrain nightly", MINIMAL_SPEC, "retrain-0123456789ab"),),
            experiments=(ExperimentSpec("retrain", "Scheduled retraining"),),
            schedules=schedules,
            keep_versions=3,
            kfp_version="2.16.0",
        ),
    )


NIGHTLY = ScheduleSpec(
    name="nightly",
    pipeline="retrain",
    experiment="retrain",
    cron="0 0 3 * * *",
    interval_seconds=None,
    max_concurrency=1,
    no_catchup=True,
    enabled=True,
    service_account=None,
    parameters={"window_days": 7},
)


def test_each_pipeline_gets_its_version_and_each_schedule_points_at_it(record) -> None:
    rec = record(lambda: _objects((NIGHTLY,)))
    pipeline = rec.one("pulumi-python:dynamic/kfp:Pipeline", "pipeline-retrain")
    version = rec.one("pulumi-python:dynamic/kfp:PipelineVersion", "pipeline-retrain-version")
    experiment = rec.one("pulumi-python:dynamic/kfp:Experiment", "experiment-retrain")
    schedule = rec.one("pulumi-python:dynamic/kfp:RecurringRun", "schedule-nightly")
    assert pipeline.inputs["name"] == "retrain" and pipeline.inputs["description"] == "Retrain nightly"
    assert version.inputs["name"] == "retrain-0123456789ab" and version.inputs["spec"] == MINIMAL_SPEC
    assert version.inputs["keep_versions"] == 3 and pipeline.urn in version.dependencies
    assert {pipeline.urn, version.urn, experiment.urn} <= set(schedule.dependencies)
    assert schedule.inputs["cron"] == "0 0 3 * * *" and schedule.inputs["kfp_version"] == "2.16.0"
    assert schedule.inputs["parameters"] == {"window_days": 7}
    parent = rec.one("kfstack:kfp:Objects").urn
    assert {pipeline.parent, version.parent, experiment.parent, schedule.parent} == {parent}


def test_credentials_are_secret_everywhere_and_never_recorded(record) -> None:
    rec = record(lambda: _objects((NIGHTLY,)))
    kfp = [r for r in rec.resources if r.type.startswith("pulumi-python:dynamic/kfp:")]
    assert len(kfp) == 4
    for resource in kfp:
        assert resource.inputs["credentials"] == "[secret]"
        assert "hidden-token" not in repr(resource.inputs)
        assert resource.inputs["connection"]["auth"] == "oidcToken"


def test_without_schedules_there_are_no_recurring_runs(record) -> None:
    assert record(_objects).find("pulumi-python:dynamic/kfp:RecurringRun") == []
