"""The KFP providers served by Pulumi's real dynamic-provider host process, driven over gRPC.

Proves the providers survive dill serialisation into a fresh process (by reference to the
installed module), and that Check/Diff/Create/Read/Update/Delete work there against the test
KFP API server, with secrets kept secret in the outputs the engine would store.
"""

from __future__ import annotations

import base64
from collections.abc import Iterator
from typing import Any

import grpc
import pytest
from pulumi.runtime.proto import provider_pb2

from modules.kfp.connection import KfpConnection
from modules.kfp.errors import RetryPolicy
from modules.kfp.experiment import ExperimentProvider
from modules.kfp.pipeline import PipelineProvider
from modules.kfp.pipeline_version import PipelineVersionProvider
from modules.kfp.recurring_run import RecurringRunProvider
from modules.kfp.versioning import version_name
from tests.modules.kfp.dynamic_host import (
    SECRET_SIG,
    SIG_KEY,
    UNKNOWN,
    DynamicProviderHost,
    engine_view,
    registered_inputs,
    urn,
)
from tests.modules.kfp.kfp_api_server import KfpApiServer
from tests.modules.kfp.support import MINIMAL_SPEC, NAMESPACE

pytestmark = pytest.mark.slow

FAST = RetryPolicy(attempts=3, base_delay=0.01, max_delay=0.05)


@pytest.fixture(scope="module")
def host(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DynamicProviderHost]:
    process = DynamicProviderHost(tmp_path_factory.mktemp("host-cwd"))
    try:
        version, accept_secrets = process.handshake()
        assert version and accept_secrets is False
        yield process
    finally:
        # the host does not use the engine address it is given (pulumi 3.272): nothing was logged there
        assert process.engine.logs == []
        stderr = process.close()
        assert "Traceback" not in stderr or "KfpAuthError" in stderr, stderr


def _inputs(connection: KfpConnection, provider: Any, **values: Any) -> dict[str, Any]:
    return registered_inputs(provider, {**connection.provider_props(), **values})


def test_provider_is_serialised_by_reference_to_the_installed_module() -> None:
    blob = base64.b64decode(registered_inputs(PipelineProvider(FAST), {})["__provider"])
    assert b"modules.kfp.pipeline" in blob and b"PipelineProvider" in blob
    assert b"def create" not in blob and b"open_api" not in blob  # no code, no client


def test_pipeline_and_version_lifecycle_in_the_host(
    host: DynamicProviderHost, kfp_server: KfpApiServer
) -> None:
    connection = KfpConnection(
        endpoint=kfp_server.url, namespace=NAMESPACE, auth="oidcToken", token="ci-token", timeout_seconds=5
    )
    kfp_server.require_bearer("ci-token")
    pipeline_urn = urn("Pipeline", "retrain")
    news = _inputs(connection, PipelineProvider(FAST), name="retrain", description="nightly")

    checked, failures = host.check(pipeline_urn, {}, news)
    assert failures == []
    pipeline_id, outs = host.create(pipeline_urn, checked)
    assert kfp_server.store.pipelines[pipeline_id].name == "retrain"
    assert kfp_server.calls("PipelineService_CreatePipeline")[0].authorization == "Bearer ci-token"
    # the engine stores outputs; credentials come back as a secret value
    assert outs["credentials"][SIG_KEY] == SECRET_SIG and outs["pipeline_id"] == pipeline_id
    state = engine_view(outs)

    kfp_server.clear_log()
    unchanged = host.diff(pipeline_urn, pipeline_id, state, checked)
    assert unchanged.changes == provider_pb2.DiffResponse.DIFF_NONE
    assert kfp_server.log == []

    version_urn = urn("PipelineVersion", "retrain")
    name = version_name("retrain", MINIMAL_SPEC)
    version_news = _inputs(
        connection,
        PipelineVersionProvider(FAST),
        pipeline_id=pipeline_id,
        name=name,
        spec=MINIMAL_SPEC,
        keep_versions=2,
    )
    version_id, version_outs = host.create(version_urn, host.check(version_urn, {}, version_news)[0])
    assert kfp_server.store.versions[version_id].name == name

    changed_spec = MINIMAL_SPEC.replace("minimal", "changed")
    changed = {**version_news, "name": version_name("retrain", changed_spec), "spec": changed_spec}
    diff = host.diff(version_urn, version_id, engine_view(version_outs), changed)
    assert diff.changes == provider_pb2.DiffResponse.DIFF_SOME
    assert set(diff.replaces) == {"name", "spec"} and diff.deleteBeforeReplace is False

    read_id, read_outs, read_inputs = host.read(pipeline_urn, pipeline_id, state)
    assert (
        read_id == pipeline_id and read_outs["description"] == "nightly" and read_inputs["name"] == "retrain"
    )

    host.delete(pipeline_urn, pipeline_id, state)
    assert kfp_server.store.pipelines == {} and kfp_server.store.versions == {}
    _, gone_outs, _ = host.read(pipeline_urn, pipeline_id, state)
    assert host.read(pipeline_urn, pipeline_id, state)[0] == "" and "__provider" in gone_outs


def test_recurring_run_in_the_host_preview_unknowns_replacement_order_and_enable(
    host: DynamicProviderHost, kfp_server: KfpApiServer
) -> None:
    connection = KfpConnection(endpoint=kfp_server.url, namespace=NAMESPACE, auth="none", timeout_seconds=5)
    pipeline_id, _ = host.create(
        urn("Pipeline", "p"), _inputs(connection, PipelineProvider(FAST), name="retrain")
    )
    version_id, _ = host.create(
        urn("PipelineVersion", "v"),
        _inputs(
            connection,
            PipelineVersionProvider(FAST),
            pipeline_id=pipeline_id,
            name="retrain-1",
            spec=MINIMAL_SPEC,
            keep_versions=2,
        ),
    )
    experiment_id, _ = host.create(
        urn("Experiment", "e"), _inputs(connection, ExperimentProvider(FAST), name="nightly")
    )
    run_urn = urn("RecurringRun", "nightly")
    news = _inputs(
        connection,
        RecurringRunProvider(FAST),
        name="retrain-nightly",
        pipeline_id=pipeline_id,
        pipeline_version_id=version_id,
        experiment_id=experiment_id,
        cron="0 0 3 * * *",
        parameters={"window_days": 7},
        max_concurrency=1,
        no_catchup=True,
        enabled=True,
        kfp_version="2.16.0",
    )
    run_id, outs = host.create(run_urn, host.check(run_urn, {}, news)[0])
    live = kfp_server.store.recurring_runs[run_id]
    assert live.max_concurrency == "1" and live.runtime_config.parameters == {"window_days": 7}
    state = engine_view(outs)

    # preview of a pipeline change: the new version's id is not known yet
    preview = {**news, "pipeline_version_id": UNKNOWN}
    checked, failures = host.check(run_urn, state, preview)
    assert failures == []
    diff = host.diff(run_urn, run_id, state, checked)
    assert diff.changes == provider_pb2.DiffResponse.DIFF_SOME
    assert list(diff.replaces) == ["pipeline_version_id"] and diff.deleteBeforeReplace is True

    disable = host.diff(run_urn, run_id, state, {**news, "enabled": False})
    assert disable.changes == provider_pb2.DiffResponse.DIFF_SOME and list(disable.replaces) == []
    host.update(run_urn, run_id, state, {**news, "enabled": False})
    assert kfp_server.store.recurring_runs[run_id].status == "DISABLED"

    _, bad = host.check(run_urn, {}, {**news, "cron": "0 3 * * *"})
    assert [(f.property, "6 fields" in f.reason) for f in bad] == [("cron", True)]

    host.delete(run_urn, run_id, state)
    assert kfp_server.store.recurring_runs == {}


def test_errors_reach_the_engine_as_grpc_errors_with_the_message(
    host: DynamicProviderHost, kfp_server: KfpApiServer
) -> None:
    kfp_server.require_bearer("right")
    connection = KfpConnection(
        endpoint=kfp_server.url, namespace=NAMESPACE, auth="oidcToken", token="tok-XYZ-123"
    )
    with pytest.raises(grpc.RpcError) as raised:
        host.create(urn("Pipeline", "denied"), _inputs(connection, PipelineProvider(FAST), name="retrain"))
    details = raised.value.details()
    assert "KfpAuthError" in details and "401 Unauthorized" in details and "auth mode 'oidcToken'" in details
    assert "tok-XYZ-123" not in details
