"""Experiment provider: create in the namespace, conflicts, archive drift, delete; the resource under mocks."""

from __future__ import annotations

import pytest

from modules.kfp.connection import KfpConnection
from modules.kfp.errors import KfpConflict
from modules.kfp.experiment import Experiment, ExperimentProvider
from tests.modules.kfp.kfp_api_server import KfpApiServer
from tests.modules.kfp.support import NAMESPACE, props


def test_create_in_the_connection_namespace(kfp_server: KfpApiServer, connection: KfpConnection) -> None:
    created = ExperimentProvider().create(props(connection, name="nightly", description="retrains"))
    live = kfp_server.store.experiments[created.id]
    assert (live.display_name, live.namespace, live.description) == ("nightly", NAMESPACE, "retrains")
    assert created.outs["namespace"] == NAMESPACE and created.outs["storage_state"] == "AVAILABLE"
    # the name lookup before creating uses the swagger's filter shape (validated by the server)
    lookup = kfp_server.calls("ExperimentService_ListExperiments")[0]
    assert lookup.query["namespace"] == [NAMESPACE] and '"display_name"' in lookup.query["filter"][0]


def test_an_existing_experiment_of_the_same_name_is_a_conflict(
    kfp_server: KfpApiServer, connection: KfpConnection
) -> None:
    ExperimentProvider().create(props(connection, name="nightly"))
    with pytest.raises(KfpConflict, match="experiment 'nightly' already exists in namespace team-a"):
        ExperimentProvider().create(props(connection, name="nightly"))


def test_same_name_in_another_namespace_is_fine(kfp_server: KfpApiServer, connection: KfpConnection) -> None:
    other = KfpConnection(endpoint=connection.endpoint, namespace="team-b", auth="none")
    ExperimentProvider().create(props(connection, name="nightly"))
    ExperimentProvider().create(props(other, name="nightly"))
    assert sorted(e.namespace for e in kfp_server.store.experiments.values()) == ["team-a", "team-b"]


def test_no_change_no_call_and_description_change_replaces_deleting_first(
    kfp_server: KfpApiServer, connection: KfpConnection
) -> None:
    created = ExperimentProvider().create(props(connection, name="nightly", description="a"))
    kfp_server.clear_log()
    assert (
        ExperimentProvider()
        .diff(created.id, created.outs, props(connection, name="nightly", description="a"))
        .changes
        is False
    )
    assert kfp_server.log == []
    diff = ExperimentProvider().diff(
        created.id, created.outs, props(connection, name="nightly", description="b")
    )
    assert diff.replaces == ["description"] and diff.delete_before_replace is True


def test_archived_upstream_shows_in_read_and_update_unarchives(
    kfp_server: KfpApiServer, connection: KfpConnection
) -> None:
    provider = ExperimentProvider()
    created = provider.create(props(connection, name="nightly"))
    kfp_server.store.experiments[created.id].storage_state = "ARCHIVED"

    refreshed = provider.read(created.id, created.outs).outs
    assert refreshed["storage_state"] == "ARCHIVED"
    diff = provider.diff(created.id, refreshed, props(connection, name="nightly"))
    assert diff.changes and diff.replaces == []
    kfp_server.clear_log()
    updated = provider.update(created.id, refreshed, props(connection, name="nightly"))
    assert [c.operation for c in kfp_server.mutations()] == ["ExperimentService_UnarchiveExperiment"]
    assert updated.outs["storage_state"] == "AVAILABLE"


def test_delete_deletes_and_gone_counts_as_deleted(
    kfp_server: KfpApiServer, connection: KfpConnection
) -> None:
    provider = ExperimentProvider()
    created = provider.create(props(connection, name="nightly"))
    provider.delete(created.id, created.outs)
    assert kfp_server.store.experiments == {}
    provider.delete(created.id, created.outs)  # already gone: no error
    assert [c.status for c in kfp_server.calls("ExperimentService_DeleteExperiment")] == [200, 404]
    assert provider.read(created.id, created.outs).id == ""


def test_resource_registers_name_and_secret_credentials(record) -> None:
    connection = KfpConnection(endpoint="http://localhost:8888", namespace=NAMESPACE, auth="none")
    recording = record(lambda: Experiment("nightly", connection, name="nightly", description="retrains"))
    experiment = recording.one("pulumi-python:dynamic/kfp:Experiment")
    assert (
        experiment.inputs["name"] == "nightly" and experiment.inputs["connection"]["namespace"] == NAMESPACE
    )
    assert "credentials" in experiment.secret_paths


def test_check_requires_a_name_and_a_usable_connection(connection: KfpConnection) -> None:
    assert [f.property for f in ExperimentProvider().check({}, props(connection)).failures] == ["name"]
    assert ExperimentProvider().check({}, props(connection, name="nightly")).failures == []
