"""Pipeline provider against the test KFP API server, and the Pipeline resource under mocks."""

from __future__ import annotations

import pytest

from modules.kfp.connection import KfpConnection
from modules.kfp.errors import KfpConflict
from modules.kfp.pipeline import Pipeline, PipelineProvider
from modules.kfp.pipeline_version import PipelineVersionProvider
from modules.kfp.props import UNKNOWN
from tests.modules.kfp.kfp_api_server import KfpApiServer
from tests.modules.kfp.support import MINIMAL_SPEC, NAMESPACE, props


def test_create_makes_a_namespaced_pipeline_and_returns_ids_not_secrets(
    kfp_server: KfpApiServer, connection: KfpConnection
) -> None:
    result = PipelineProvider().create(props(connection, name="retrain", description="nightly"))

    live = kfp_server.store.pipelines[result.id]
    assert (live.name, live.namespace, live.description) == ("retrain", NAMESPACE, "nightly")
    assert result.outs["pipeline_id"] == result.id
    assert result.outs["name"] == "retrain"
    assert [c.operation for c in kfp_server.mutations()] == ["PipelineService_CreatePipeline"]


def test_create_refuses_to_take_over_an_existing_pipeline(
    kfp_server: KfpApiServer, connection: KfpConnection
) -> None:
    PipelineProvider().create(props(connection, name="retrain"))
    with pytest.raises(KfpConflict, match=r"'retrain' already exists in namespace team-a.*pulumi import"):
        PipelineProvider().create(props(connection, name="retrain"))
    assert len(kfp_server.store.pipelines) == 1


def test_identical_inputs_diff_to_no_change_and_no_api_call(
    kfp_server: KfpApiServer, connection: KfpConnection
) -> None:
    created = PipelineProvider().create(props(connection, name="retrain"))
    kfp_server.clear_log()

    diff = PipelineProvider().diff(created.id, created.outs, props(connection, name="retrain"))

    assert diff.changes is False and diff.replaces == []
    assert kfp_server.log == []


def test_description_change_replaces_and_same_name_deletes_first(
    kfp_server: KfpApiServer, connection: KfpConnection
) -> None:
    created = PipelineProvider().create(props(connection, name="retrain", description="a"))
    diff = PipelineProvider().diff(
        created.id, created.outs, props(connection, name="retrain", description="b")
    )
    assert diff.changes and diff.replaces == ["description"] and diff.delete_before_replace is True

    renamed = PipelineProvider().diff(created.id, created.outs, props(connection, name="retrain-v2"))
    assert "name" in renamed.replaces and renamed.delete_before_replace is False


def test_unknown_name_during_preview_is_a_possible_replacement(connection: KfpConnection) -> None:
    olds = props(connection, name="retrain")
    diff = PipelineProvider().diff("id", olds, props(connection, name=UNKNOWN))
    assert diff.changes and diff.replaces == ["name"]


def test_endpoint_change_replaces_but_auth_change_updates(connection: KfpConnection) -> None:
    olds = props(connection, name="retrain")
    moved = KfpConnection(endpoint="http://elsewhere:8888", namespace=NAMESPACE, auth="none")
    assert PipelineProvider().diff("id", olds, props(moved, name="retrain")).replaces == ["connection"]

    token = KfpConnection(endpoint=connection.endpoint, namespace=NAMESPACE, auth="oidcToken", token="t")
    diff = PipelineProvider().diff("id", olds, props(token, name="retrain"))
    assert diff.changes and diff.replaces == []


def test_update_of_auth_settings_makes_no_api_call(
    kfp_server: KfpApiServer, connection: KfpConnection
) -> None:
    created = PipelineProvider().create(props(connection, name="retrain"))
    kfp_server.clear_log()
    kfp_server.require_bearer("new-token")
    token = KfpConnection(
        endpoint=connection.endpoint, namespace=NAMESPACE, auth="oidcToken", token="new-token"
    )

    result = PipelineProvider().update(created.id, created.outs, props(token, name="retrain"))

    assert kfp_server.log == []
    assert result.outs["pipeline_id"] == created.id
    assert result.outs["connection"]["auth"] == "oidcToken"
    assert PipelineProvider().read(created.id, result.outs).id == created.id  # later calls use the new token


def test_read_reports_live_state_and_a_pipeline_deleted_upstream_as_gone(
    kfp_server: KfpApiServer, connection: KfpConnection
) -> None:
    created = PipelineProvider().create(props(connection, name="retrain", description="a"))
    kfp_server.store.pipelines[created.id].description = "edited in the UI"

    read = PipelineProvider().read(created.id, created.outs)
    assert read.id == created.id and read.outs["description"] == "edited in the UI"
    assert read.inputs is not None and read.inputs["description"] == "edited in the UI"

    del kfp_server.store.pipelines[created.id]
    gone = PipelineProvider().read(created.id, created.outs)
    assert gone.id == "" and gone.outs == {}


def test_delete_removes_versions_first_then_the_pipeline(
    kfp_server: KfpApiServer, connection: KfpConnection
) -> None:
    created = PipelineProvider().create(props(connection, name="retrain"))
    for name in ("retrain-1", "retrain-2"):
        PipelineVersionProvider().create(
            props(
                connection,
                pipeline_id=created.id,
                name=name,
                spec=MINIMAL_SPEC.replace("minimal", name),
                keep_versions=5,
            )
        )
    kfp_server.clear_log()

    PipelineProvider().delete(created.id, created.outs)

    operations = [c.operation for c in kfp_server.mutations()]
    assert operations == ["PipelineService_DeletePipelineVersion"] * 2 + ["PipelineService_DeletePipeline"]
    assert not kfp_server.store.pipelines and not kfp_server.store.versions


def test_deleting_a_pipeline_already_gone_counts_as_deleted(
    kfp_server: KfpApiServer, connection: KfpConnection
) -> None:
    created = PipelineProvider().create(props(connection, name="retrain"))
    del kfp_server.store.pipelines[created.id]
    kfp_server.clear_log()

    PipelineProvider().delete(created.id, created.outs)  # no error

    assert [(c.operation, c.status) for c in kfp_server.log] == [
        ("PipelineService_ListPipelineVersions", 404)
    ]


def test_check_reports_missing_name_and_bad_connection(connection: KfpConnection) -> None:
    result = PipelineProvider().check({}, props(connection))
    assert [(f.property, f.reason) for f in result.failures] == [("name", "name is required")]

    broken = KfpConnection(endpoint="kfp.example.com", namespace=NAMESPACE, auth="oidcToken")
    reasons = [f.reason for f in PipelineProvider().check({}, props(broken, name="x")).failures]
    assert any("must start with http" in r for r in reasons)
    assert any("oidcToken needs credentials.token" in r for r in reasons)


def test_resource_registers_inputs_with_credentials_secret(record) -> None:
    connection = KfpConnection(
        endpoint="https://kubeflow.example.com/pipeline",
        namespace=NAMESPACE,
        auth="oidcToken",
        token="s3cr3t",
    )
    recording = record(lambda: Pipeline("retrain", connection, name="retrain", description="nightly"))

    pipeline = recording.one("pulumi-python:dynamic/kfp:Pipeline", "retrain")
    assert pipeline.inputs["name"] == "retrain"
    assert pipeline.inputs["connection"]["endpoint"] == "https://kubeflow.example.com/pipeline"
    assert pipeline.inputs["connection"]["auth"] == "oidcToken"
    assert "credentials" in pipeline.secret_paths and pipeline.inputs["credentials"] == "[secret]"
    assert "s3cr3t" not in repr(pipeline.inputs)
