"""RecurringRun provider: create, replacement rules and order, enable/disable, drift; the resource under mocks."""

from __future__ import annotations

from typing import Any

import pytest

from modules.kfp.connection import KfpConnection
from modules.kfp.errors import KfpConflict, KfpMissingParent
from modules.kfp.experiment import ExperimentProvider
from modules.kfp.pipeline import PipelineProvider
from modules.kfp.pipeline_version import PipelineVersionProvider
from modules.kfp.props import UNKNOWN
from modules.kfp.recurring_run import RecurringRun, RecurringRunProvider
from tests.modules.kfp.kfp_api_server import KfpApiServer
from tests.modules.kfp.support import MINIMAL_SPEC, NAMESPACE, props


@pytest.fixture
def parents(kfp_server: KfpApiServer, connection: KfpConnection) -> dict[str, str]:
    pipeline = PipelineProvider().create(props(connection, name="retrain"))
    version = PipelineVersionProvider().create(
        props(connection, pipeline_id=pipeline.id, name="retrain-abc", spec=MINIMAL_SPEC, keep_versions=3)
    )
    experiment = ExperimentProvider().create(props(connection, name="nightly"))
    return {"pipeline_id": pipeline.id, "pipeline_version_id": version.id, "experiment_id": experiment.id}


def schedule(connection: KfpConnection, parents: dict[str, str], **overrides: Any) -> dict[str, Any]:
    inputs: dict[str, Any] = {
        "name": "retrain-nightly",
        **parents,
        "cron": "0 0 3 * * *",
        "parameters": {"window_days": 7, "metric": "accuracy"},
        "max_concurrency": 1,
        "no_catchup": True,
        "enabled": True,
        "kfp_version": "2.16.0",
        **overrides,
    }
    return props(connection, **inputs)


def test_create_sends_the_v2beta1_shape(
    kfp_server: KfpApiServer, connection: KfpConnection, parents: dict[str, str]
) -> None:
    created = RecurringRunProvider().create(schedule(connection, parents, service_account="pipeline-runner"))

    body = kfp_server.calls("RecurringRunService_CreateRecurringRun")[0].body
    assert body["trigger"] == {"cron_schedule": {"cron": "0 0 3 * * *"}}
    assert body["max_concurrency"] == "1"  # int64 travels as a string
    assert body["mode"] == "ENABLE" and body["no_catchup"] is True
    assert body["pipeline_version_reference"] == {
        "pipeline_id": parents["pipeline_id"],
        "pipeline_version_id": parents["pipeline_version_id"],
    }
    assert body["runtime_config"] == {"parameters": {"window_days": 7, "metric": "accuracy"}}
    assert body["service_account"] == "pipeline-runner"
    assert created.outs["namespace"] == NAMESPACE  # from the experiment
    assert created.outs["recurring_run_id"] == created.id


def test_interval_schedule_and_float_numbers_from_the_host(
    kfp_server: KfpApiServer, connection: KfpConnection, parents: dict[str, str]
) -> None:
    # Numbers cross the dynamic-provider host as floats.
    news = schedule(
        connection, parents, cron=None, interval_seconds=3600.0, max_concurrency=2.0, parameters={"n": 3.0}
    )
    RecurringRunProvider().create(news)
    body = kfp_server.calls("RecurringRunService_CreateRecurringRun")[0].body
    assert body["trigger"] == {"periodic_schedule": {"interval_second": "3600"}}
    assert body["max_concurrency"] == "2" and body["runtime_config"]["parameters"] == {"n": 3}


def test_identical_inputs_diff_to_nothing_and_make_no_call(
    kfp_server: KfpApiServer, connection: KfpConnection, parents: dict[str, str]
) -> None:
    created = RecurringRunProvider().create(schedule(connection, parents))
    kfp_server.clear_log()
    diff = RecurringRunProvider().diff(created.id, created.outs, schedule(connection, parents))
    assert diff.changes is False and kfp_server.log == []


@pytest.mark.parametrize(
    ("change", "key"),
    [
        ({"cron": "0 0 4 * * *"}, "cron"),
        ({"parameters": {"window_days": 14, "metric": "accuracy"}}, "parameters"),
        ({"max_concurrency": 2}, "max_concurrency"),
        ({"no_catchup": False}, "no_catchup"),
        ({"service_account": "other"}, "service_account"),
        ({"pipeline_version_id": "v-2"}, "pipeline_version_id"),
        ({"experiment_id": "e-2"}, "experiment_id"),
        ({"kfp_version": "2.17.0"}, "kfp_version"),
        ({"pipeline_version_id": UNKNOWN}, "pipeline_version_id"),
    ],
)
def test_every_change_but_enabled_replaces_deleting_first(
    connection: KfpConnection, parents: dict[str, str], change: dict[str, Any], key: str
) -> None:
    created = RecurringRunProvider().create(schedule(connection, parents))
    diff = RecurringRunProvider().diff(created.id, created.outs, schedule(connection, parents, **change))
    assert diff.changes and diff.replaces == [key]
    assert diff.delete_before_replace is True


def test_enabled_toggles_in_place_with_enable_disable_calls(
    kfp_server: KfpApiServer, connection: KfpConnection, parents: dict[str, str]
) -> None:
    created = RecurringRunProvider().create(schedule(connection, parents))
    off = schedule(connection, parents, enabled=False)
    diff = RecurringRunProvider().diff(created.id, created.outs, off)
    assert diff.changes and diff.replaces == []

    kfp_server.clear_log()
    updated = RecurringRunProvider().update(created.id, created.outs, off)
    assert [c.operation for c in kfp_server.mutations()] == ["RecurringRunService_DisableRecurringRun"]
    assert kfp_server.store.recurring_runs[created.id].status == "DISABLED"

    kfp_server.clear_log()
    RecurringRunProvider().update(created.id, updated.outs, schedule(connection, parents, enabled=True))
    assert [c.operation for c in kfp_server.mutations()] == ["RecurringRunService_EnableRecurringRun"]


def test_replacement_order_never_has_two_schedules(
    kfp_server: KfpApiServer, connection: KfpConnection, parents: dict[str, str]
) -> None:
    """What the engine does for delete-before-replace: delete the old, then create the new."""
    provider = RecurringRunProvider()
    old = provider.create(schedule(connection, parents))
    news = schedule(connection, parents, cron="0 30 3 * * *")
    assert provider.diff(old.id, old.outs, news).delete_before_replace is True
    counts = []
    provider.delete(old.id, old.outs)
    counts.append(len(kfp_server.store.recurring_runs))
    new = provider.create(news)
    counts.append(len(kfp_server.store.recurring_runs))
    assert counts == [0, 1]
    assert kfp_server.store.recurring_runs[new.id].trigger.cron_schedule.cron == "0 30 3 * * *"


def test_failed_create_after_delete_is_loud_and_leaves_nothing_behind(
    kfp_server: KfpApiServer, connection: KfpConnection, parents: dict[str, str], retry
) -> None:
    provider = RecurringRunProvider(retry)
    old = provider.create(schedule(connection, parents))
    provider.delete(old.id, old.outs)
    kfp_server.fail_next(10, status=503, path_contains="/recurringruns", method="POST")
    with pytest.raises(Exception, match=r"HTTP 503.*gave up after 4 attempts"):
        provider.create(schedule(connection, parents, cron="0 30 3 * * *"))
    assert kfp_server.store.recurring_runs == {}  # no half-made schedule; the next `up` creates it


def test_create_after_lost_answer_adopts_instead_of_duplicating(
    kfp_server: KfpApiServer, connection: KfpConnection, parents: dict[str, str], retry
) -> None:
    kfp_server.fail_next(1, status=502, method="POST", path_contains="/recurringruns", after_processing=True)
    created = RecurringRunProvider(retry).create(schedule(connection, parents))
    assert list(kfp_server.store.recurring_runs) == [created.id]


def test_a_different_schedule_of_the_same_name_is_a_conflict(
    kfp_server: KfpApiServer, connection: KfpConnection, parents: dict[str, str]
) -> None:
    RecurringRunProvider().create(schedule(connection, parents))
    with pytest.raises(KfpConflict, match="already has a recurring run named 'retrain-nightly'"):
        RecurringRunProvider().create(schedule(connection, parents, cron="0 0 5 * * *"))


@pytest.mark.parametrize(
    ("missing", "message"),
    [
        ("experiment_id", "experiment gone not found"),
        ("pipeline_version_id", "pipeline version gone of pipeline"),
    ],
)
def test_missing_parents_are_named(
    kfp_server: KfpApiServer, connection: KfpConnection, parents: dict[str, str], missing: str, message: str
) -> None:
    with pytest.raises(KfpMissingParent, match=message):
        RecurringRunProvider().create(schedule(connection, parents, **{missing: "gone"}))
    assert kfp_server.calls("RecurringRunService_CreateRecurringRun") == []


def test_read_reports_drift_disabled_changed_and_deleted_upstream(
    kfp_server: KfpApiServer, connection: KfpConnection, parents: dict[str, str]
) -> None:
    provider = RecurringRunProvider()
    created = provider.create(schedule(connection, parents))
    live = kfp_server.store.recurring_runs[created.id]
    live.status = "DISABLED"
    live.trigger.cron_schedule.cron = "0 0 6 * * *"

    read = provider.read(created.id, created.outs)
    assert read.outs["enabled"] is False and read.outs["cron"] == "0 0 6 * * *"
    # The next `up` compares the program with the refreshed state: a replacement (cron) is due.
    diff = provider.diff(created.id, read.outs, schedule(connection, parents))
    assert diff.replaces == ["cron"]

    del kfp_server.store.recurring_runs[created.id]
    assert provider.read(created.id, created.outs).id == ""


def test_disabled_upstream_is_re_enabled_by_the_next_update(
    kfp_server: KfpApiServer, connection: KfpConnection, parents: dict[str, str]
) -> None:
    provider = RecurringRunProvider()
    created = provider.create(schedule(connection, parents))
    kfp_server.store.recurring_runs[created.id].status = "DISABLED"
    refreshed = provider.read(created.id, created.outs).outs
    news = schedule(connection, parents)
    diff = provider.diff(created.id, refreshed, news)
    assert diff.changes and diff.replaces == []
    provider.update(created.id, refreshed, news)
    assert kfp_server.store.recurring_runs[created.id].status == "ENABLED"


def test_deleting_a_schedule_already_gone_counts_as_deleted(
    kfp_server: KfpApiServer, connection: KfpConnection, parents: dict[str, str]
) -> None:
    created = RecurringRunProvider().create(schedule(connection, parents))
    del kfp_server.store.recurring_runs[created.id]
    kfp_server.clear_log()
    RecurringRunProvider().delete(created.id, created.outs)
    assert [(c.operation, c.status) for c in kfp_server.log] == [
        ("RecurringRunService_DeleteRecurringRun", 404)
    ]


@pytest.mark.parametrize(
    ("overrides", "prop", "reason"),
    [
        ({"cron": "0 3 * * *"}, "cron", "6 fields"),
        ({"cron": None}, "cron", "exactly one of cron or interval_seconds"),
        ({"interval_seconds": 60}, "cron", "exactly one of cron or interval_seconds"),
        ({"max_concurrency": 11}, "max_concurrency", "1..10"),
        ({"max_concurrency": 0}, "max_concurrency", "1..10"),
        ({"kfp_version": None}, "kfp_version", "required"),
        ({"parameters": ["a"]}, "parameters", "mapping"),
    ],
)
def test_check_enforces_schedule_rules(
    connection: KfpConnection, overrides: dict[str, Any], prop: str, reason: str
) -> None:
    news = schedule(
        connection, {"pipeline_id": "p", "pipeline_version_id": "v", "experiment_id": "e"}, **overrides
    )
    failures = RecurringRunProvider().check({}, news).failures
    assert any(f.property == prop and reason in f.reason for f in failures), [
        (f.property, f.reason) for f in failures
    ]


def test_check_does_not_judge_unknown_values(connection: KfpConnection) -> None:
    news = schedule(
        connection,
        {"pipeline_id": UNKNOWN, "pipeline_version_id": UNKNOWN, "experiment_id": UNKNOWN},
        cron=UNKNOWN,
        max_concurrency=UNKNOWN,
    )
    assert RecurringRunProvider().check({}, news).failures == []


def test_resource_registers_schedule_inputs(record) -> None:
    connection = KfpConnection(
        endpoint="https://kubeflow.example.com/pipeline",
        namespace=NAMESPACE,
        auth="serviceAccountToken",
        kubeconfig="/home/ci/.kube/config",
        kube_context="prod",
        service_account="default-editor",
    )
    recording = record(
        lambda: RecurringRun(
            "retrain-nightly",
            connection,
            name="retrain-nightly",
            pipeline_id="p-1",
            pipeline_version_id="v-1",
            experiment_id="e-1",
            kfp_version="2.16.0",
            max_concurrency=1,
            cron="0 0 3 * * *",
            parameters={"window_days": 7},
        )
    )
    run = recording.one("pulumi-python:dynamic/kfp:RecurringRun")
    assert run.inputs["cron"] == "0 0 3 * * *" and run.inputs["kfp_version"] == "2.16.0"
    assert run.inputs["parameters"] == {"window_days": 7} and run.inputs["enabled"] is True
    assert run.inputs["connection"]["service_account"] == "default-editor"
    assert "credentials" in run.secret_paths and "/home/ci/.kube/config" not in repr(run.inputs)
