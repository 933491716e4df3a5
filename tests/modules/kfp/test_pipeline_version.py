"""PipelineVersion provider: upload, no-op diffs, replacement, retention, drift; the resource under mocks."""

from __future__ import annotations

from typing import Any

import pytest

from modules.kfp.connection import KfpConnection
from modules.kfp.errors import KfpConflict, KfpMissingParent
from modules.kfp.experiment import ExperimentProvider
from modules.kfp.pipeline import PipelineProvider
from modules.kfp.pipeline_version import PipelineVersion, PipelineVersionProvider
from modules.kfp.props import UNKNOWN
from modules.kfp.recurring_run import RecurringRunProvider
from modules.kfp.versioning import version_name
from tests.modules.kfp.kfp_api_server import KfpApiServer
from tests.modules.kfp.support import MINIMAL_SPEC, NAMESPACE, compiled_spec, props


@pytest.fixture
def pipeline_id(kfp_server: KfpApiServer, connection: KfpConnection) -> str:
    return PipelineProvider().create(props(connection, name="retrain")).id


def version_props(connection: KfpConnection, pipeline_id: str, spec: str, keep: int = 3) -> dict[str, Any]:
    return props(
        connection, pipeline_id=pipeline_id, name=version_name("retrain", spec), spec=spec, keep_versions=keep
    )


def test_create_uploads_the_compiled_spec(
    kfp_server: KfpApiServer, connection: KfpConnection, pipeline_id: str
) -> None:
    spec = compiled_spec()
    created = PipelineVersionProvider().create(version_props(connection, pipeline_id, spec))

    live = kfp_server.store.versions[created.id]
    assert live.name == version_name("retrain", spec) and live.pipeline_id == pipeline_id
    assert live.pipeline_spec["pipelineInfo"]["name"] == "kfstack-test-pipeline"
    assert created.outs["pipeline_version_id"] == created.id
    upload = kfp_server.calls("UploadPipelineVersion")[0]
    assert upload.query["pipelineid"] == [pipeline_id] and "pipelineInfo" in upload.body


def test_unchanged_spec_is_no_diff_and_no_mutating_call(
    kfp_server: KfpApiServer, connection: KfpConnection, pipeline_id: str
) -> None:
    created = PipelineVersionProvider().create(version_props(connection, pipeline_id, compiled_spec()))
    kfp_server.clear_log()

    # The same code compiled again: byte-identical IR, so the same name and no change.
    diff = PipelineVersionProvider().diff(
        created.id, created.outs, version_props(connection, pipeline_id, compiled_spec())
    )

    assert diff.changes is False
    assert kfp_server.mutations() == [] and kfp_server.log == []


def test_changed_spec_replaces_create_before_delete(connection: KfpConnection, pipeline_id: str) -> None:
    created = PipelineVersionProvider().create(version_props(connection, pipeline_id, compiled_spec("a")))
    diff = PipelineVersionProvider().diff(
        created.id, created.outs, version_props(connection, pipeline_id, compiled_spec("b"))
    )
    assert diff.changes and set(diff.replaces) == {"name", "spec"}
    assert diff.delete_before_replace is False


def test_keep_versions_change_is_an_in_place_update(connection: KfpConnection, pipeline_id: str) -> None:
    created = PipelineVersionProvider().create(version_props(connection, pipeline_id, MINIMAL_SPEC, keep=3))
    diff = PipelineVersionProvider().diff(
        created.id, created.outs, version_props(connection, pipeline_id, MINIMAL_SPEC, keep=1)
    )
    assert diff.changes and diff.replaces == []


def test_unknown_pipeline_id_in_preview_means_replacement(
    connection: KfpConnection, pipeline_id: str
) -> None:
    created = PipelineVersionProvider().create(version_props(connection, pipeline_id, MINIMAL_SPEC))
    diff = PipelineVersionProvider().diff(
        created.id, created.outs, version_props(connection, UNKNOWN, MINIMAL_SPEC)
    )
    assert diff.changes and diff.replaces == ["pipeline_id"]


def _spec(n: int) -> str:
    return MINIMAL_SPEC.replace("name: minimal", f"name: minimal-{n}")


def test_replacement_keeps_history_up_to_keep_versions_and_prunes_the_oldest(
    kfp_server: KfpApiServer, connection: KfpConnection, pipeline_id: str
) -> None:
    provider = PipelineVersionProvider()
    states = []
    for n in range(4):  # four successive `up`s with a changed spec: create new, then delete old
        new = provider.create(version_props(connection, pipeline_id, _spec(n), keep=2))
        if states:
            provider.delete(states[-1].id, states[-1].outs)
        states.append(new)

    remaining = {v.name for v in kfp_server.store.versions.values()}
    assert remaining == {version_name("retrain", _spec(3)), version_name("retrain", _spec(2))}


def test_pruning_never_deletes_a_version_a_recurring_run_references(
    kfp_server: KfpApiServer, connection: KfpConnection, pipeline_id: str
) -> None:
    provider = PipelineVersionProvider()
    first = provider.create(version_props(connection, pipeline_id, _spec(0), keep=1))
    experiment = ExperimentProvider().create(props(connection, name="nightly"))
    RecurringRunProvider().create(
        props(
            connection,
            name="retrain-nightly",
            pipeline_id=pipeline_id,
            pipeline_version_id=first.id,
            experiment_id=experiment.id,
            cron="0 0 3 * * *",
            max_concurrency=1,
            kfp_version="2.16.0",
            enabled=True,
        )
    )
    second = provider.create(version_props(connection, pipeline_id, _spec(1), keep=1))
    provider.delete(first.id, first.outs)

    assert set(kfp_server.store.versions) == {first.id, second.id}  # first is still scheduled


def test_rollback_to_a_retained_version_adopts_it_without_upload(
    kfp_server: KfpApiServer, connection: KfpConnection, pipeline_id: str
) -> None:
    provider = PipelineVersionProvider()
    a = provider.create(version_props(connection, pipeline_id, _spec(0)))
    provider.create(version_props(connection, pipeline_id, _spec(1)))
    kfp_server.clear_log()

    again = provider.create(version_props(connection, pipeline_id, _spec(0)))

    assert again.id == a.id
    assert kfp_server.calls("UploadPipelineVersion") == []


def test_same_name_with_different_content_is_refused(connection: KfpConnection, pipeline_id: str) -> None:
    provider = PipelineVersionProvider()
    provider.create(
        props(connection, pipeline_id=pipeline_id, name="retrain-fixed", spec=_spec(0), keep_versions=3)
    )
    with pytest.raises(KfpConflict, match="names must change with their content"):
        provider.create(
            props(connection, pipeline_id=pipeline_id, name="retrain-fixed", spec=_spec(1), keep_versions=3)
        )


def test_missing_parent_pipeline_is_named(connection: KfpConnection, kfp_server: KfpApiServer) -> None:
    with pytest.raises(KfpMissingParent, match="pipeline no-such-id not found"):
        PipelineVersionProvider().create(version_props(connection, "no-such-id", MINIMAL_SPEC))
    assert kfp_server.mutations() == []


def test_read_finds_drift_and_gone_versions(
    kfp_server: KfpApiServer, connection: KfpConnection, pipeline_id: str
) -> None:
    created = PipelineVersionProvider().create(version_props(connection, pipeline_id, MINIMAL_SPEC))
    assert PipelineVersionProvider().read(created.id, created.outs).id == created.id

    del kfp_server.store.versions[created.id]
    assert PipelineVersionProvider().read(created.id, created.outs).id == ""


def test_delete_when_the_pipeline_is_gone_is_a_no_op(
    kfp_server: KfpApiServer, connection: KfpConnection, pipeline_id: str
) -> None:
    created = PipelineVersionProvider().create(version_props(connection, pipeline_id, MINIMAL_SPEC))
    PipelineProvider().delete(pipeline_id, props(connection, name="retrain"))
    kfp_server.clear_log()

    PipelineVersionProvider().delete(created.id, created.outs)

    assert kfp_server.mutations() == []


def test_update_lowering_keep_versions_prunes(
    kfp_server: KfpApiServer, connection: KfpConnection, pipeline_id: str
) -> None:
    provider = PipelineVersionProvider()
    for n in range(3):
        latest = provider.create(version_props(connection, pipeline_id, _spec(n), keep=5))
    provider.update(latest.id, latest.outs, version_props(connection, pipeline_id, _spec(2), keep=1))
    assert set(kfp_server.store.versions) == {latest.id}


def test_check_rejects_non_ir_specs_and_bad_keep(connection: KfpConnection) -> None:
    news = props(connection, pipeline_id="p", name="n", spec="just: yaml", keep_versions=0)
    reasons = {f.property: f.reason for f in PipelineVersionProvider().check({}, news).failures}
    assert "not a compiled KFP pipeline" in reasons["spec"]
    assert "keep_versions" in reasons
    unknown = props(connection, pipeline_id=UNKNOWN, name=UNKNOWN, spec=UNKNOWN, keep_versions=UNKNOWN)
    assert PipelineVersionProvider().check({}, unknown).failures == []


def test_resource_registers_spec_and_marks_credentials_secret(record) -> None:
    connection = KfpConnection(
        endpoint="https://kubeflow.example.com/pipeline",
        namespace=NAMESPACE,
        auth="dexPassword",
        username="ci@example.com",
        password="hunter2",
    )
    spec = MINIMAL_SPEC
    recording = record(
        lambda: PipelineVersion(
            "retrain-version",
            connection,
            pipeline_id="p-1",
            name=version_name("retrain", spec),
            spec=spec,
            keep_versions=3,
        )
    )
    version = recording.one("pulumi-python:dynamic/kfp:PipelineVersion")
    assert version.inputs["spec"] == spec and version.inputs["keep_versions"] == 3
    assert version.inputs["name"] == version_name("retrain", spec)
    assert "credentials" in version.secret_paths and "hunter2" not in repr(version.inputs)
