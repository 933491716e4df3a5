"""The per-call API bundle: pagination, credentials on the wire, no retries underneath ours."""

from __future__ import annotations

from modules.kfp.auth import Credentials
from modules.kfp.client import PAGE_SIZE, KfpApi, list_versions
from modules.kfp.connection import KfpConnection
from modules.kfp.errors import DEFAULT_RETRY
from modules.kfp.pipeline import PipelineProvider
from modules.kfp.pipeline_version import PipelineVersionProvider
from tests.modules.kfp.kfp_api_server import KfpApiServer
from tests.modules.kfp.support import MINIMAL_SPEC, props


def test_list_versions_follows_page_tokens_newest_first(
    kfp_server: KfpApiServer, connection: KfpConnection
) -> None:
    pipeline = PipelineProvider().create(props(connection, name="retrain"))
    total = PAGE_SIZE + 5
    for n in range(total):
        spec = MINIMAL_SPEC.replace("minimal", f"m{n}")
        kfp_server.store.op_UploadPipelineVersion(
            args={"pipelineid": pipeline.id, "name": f"v{n}"}, upload=spec.encode()
        )
    with KfpApi(connection, Credentials(), DEFAULT_RETRY) as api:
        versions = list_versions(api, pipeline.id)
    assert len(versions) == total and versions[0].name == f"v{total - 1}" and versions[-1].name == "v0"
    assert len(kfp_server.calls("PipelineService_ListPipelineVersions")) == 2


def test_credentials_are_sent_as_headers(kfp_server: KfpApiServer, connection: KfpConnection) -> None:
    with KfpApi(connection, Credentials(authorization="Bearer abc", cookie="s=1"), DEFAULT_RETRY) as api:
        api.call("health", api.pipelines.pipeline_service_list_pipelines, namespace="team-a")
    request = kfp_server.log[-1]
    assert request.authorization == "Bearer abc" and request.cookie == "s=1"


def test_version_upload_is_multipart_with_query_parameters(
    kfp_server: KfpApiServer, connection: KfpConnection
) -> None:
    pipeline = PipelineProvider().create(props(connection, name="retrain"))
    PipelineVersionProvider().create(
        props(
            connection,
            pipeline_id=pipeline.id,
            name="retrain-1",
            spec=MINIMAL_SPEC,
            keep_versions=1,
            description="d",
        )
    )
    upload = kfp_server.calls("UploadPipelineVersion")[0]
    assert upload.query == {
        "name": ["retrain-1"],
        "display_name": ["retrain-1"],
        "pipelineid": [pipeline.id],
        "description": ["d"],
    }
