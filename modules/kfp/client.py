"""The KFP v2beta1 service clients (official `kfp-server-api`) for one provider call.

`open_api(connection)` resolves credentials and builds the clients; use it as a context manager
inside a provider method and let it go at the end: nothing outlives the call.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

import kfp_server_api
from kfp_server_api import models

from modules.kfp.auth import Credentials, TokenRequester, credentials_for
from modules.kfp.connection import KfpConnection
from modules.kfp.errors import DEFAULT_RETRY, KfpNotFound, RetryPolicy, with_retries

T = TypeVar("T")
PAGE_SIZE = 100


class KfpApi:
    """Service clients plus `call` (retries, error mapping, request timeout) for one connection."""

    def __init__(self, connection: KfpConnection, credentials: Credentials, retry: RetryPolicy) -> None:
        self.connection = connection
        self.retry = retry
        configuration = kfp_server_api.Configuration(host=connection.endpoint)
        configuration.verify_ssl = connection.verify_tls
        configuration.ssl_ca_cert = connection.ca_cert_path
        # Retries are ours (bounded, with backoff); urllib3 must not retry underneath them.
        configuration.retries = False
        if credentials.authorization:
            configuration.api_key["authorization"] = credentials.authorization
        self._client = kfp_server_api.ApiClient(configuration, cookie=credentials.cookie)
        self.pipelines = kfp_server_api.PipelineServiceApi(self._client)
        self.uploads = kfp_server_api.PipelineUploadServiceApi(self._client)
        self.experiments = kfp_server_api.ExperimentServiceApi(self._client)
        self.recurring_runs = kfp_server_api.RecurringRunServiceApi(self._client)
        self.runs = kfp_server_api.RunServiceApi(self._client)

    def __enter__(self) -> KfpApi:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def close(self) -> None:
        """Release the connection pool."""
        self._client.rest_client.pool_manager.clear()

    def call(
        self,
        what: str,
        method: Callable[..., T],
        *args: Any,
        recover: Callable[[], T | None] | None = None,
        **kwargs: Any,
    ) -> T:
        """`method(*args, **kwargs)` with retries and KfpError mapping; `what` names it in errors."""
        # A (connect, read) pair: the generated client silently ignores a float timeout.
        timeout = float(self.connection.timeout_seconds)
        kwargs.setdefault("_request_timeout", (timeout, timeout))
        return with_retries(lambda: method(*args, **kwargs), what, self.connection, self.retry, recover)

    def get_or_none(self, what: str, method: Callable[..., T], *args: Any, **kwargs: Any) -> T | None:
        """Like `call`, but None when the object does not exist (404)."""
        try:
            return self.call(what, method, *args, **kwargs)
        except KfpNotFound:
            return None

    def delete(self, what: str, method: Callable[..., Any], *args: Any, **kwargs: Any) -> bool:
        """Like `call` for a delete: False when the object was already gone (which counts as deleted)."""
        try:
            self.call(what, method, *args, **kwargs)
        except KfpNotFound:
            return False
        return True

    def pages(self, what: str, method: Callable[..., Any], field: str, **kwargs: Any) -> Iterator[Any]:
        """Every item of a paginated List call (`field` is the response attribute holding them)."""
        token = ""
        while True:
            response = self.call(what, method, page_size=PAGE_SIZE, page_token=token, **kwargs)
            yield from getattr(response, field) or []
            token = response.next_page_token or ""
            if not token:
                return

    def upload_version(
        self, pipeline_id: str, name: str, spec_text: str, description: str | None
    ) -> models.V2beta1PipelineVersion:
        """Upload IR YAML as a new version of `pipeline_id` (multipart upload, as the kfp SDK does)."""
        with tempfile.TemporaryDirectory() as folder:
            path = os.path.join(folder, "pipeline.yaml")
            with open(path, "w", encoding="utf-8") as handle:
                handle.write(spec_text)
            kwargs: dict[str, Any] = {"name": name, "display_name": name, "pipelineid": pipeline_id}
            if description:
                kwargs["description"] = description
            return self.call(
                f"upload of pipeline version {name!r}",
                self.uploads.upload_pipeline_version,
                path,
                recover=lambda: find_version_by_name(self, pipeline_id, name),
                **kwargs,
            )


def open_api(
    connection: KfpConnection,
    retry: RetryPolicy | None = None,
    token_requester: TokenRequester | None = None,
) -> KfpApi:
    """The clients for `connection`, with credentials resolved now (token minted, Dex login done)."""
    return KfpApi(connection, credentials_for(connection, token_requester), retry or DEFAULT_RETRY)


def find_version_by_name(api: KfpApi, pipeline_id: str, name: str) -> models.V2beta1PipelineVersion | None:
    """The version of `pipeline_id` called `name`, if any."""
    for version in list_versions(api, pipeline_id):
        if version.name == name:
            return version
    return None


def list_versions(api: KfpApi, pipeline_id: str) -> list[models.V2beta1PipelineVersion]:
    """All versions of `pipeline_id`, newest first."""
    versions = list(
        api.pages(
            f"listing versions of pipeline {pipeline_id}",
            api.pipelines.pipeline_service_list_pipeline_versions,
            "pipeline_versions",
            pipeline_id=pipeline_id,
            sort_by="created_at desc",
        )
    )
    # Sort locally too: the server's order for equal timestamps (second resolution) is arbitrary.
    return sorted(versions, key=lambda v: v.created_at.timestamp() if v.created_at else 0.0, reverse=True)


def list_recurring_runs(api: KfpApi, **filters: Any) -> list[models.V2beta1RecurringRun]:
    """All recurring runs matching `filters` (namespace=..., experiment_id=...)."""
    return list(
        api.pages(
            "listing recurring runs",
            api.recurring_runs.recurring_run_service_list_recurring_runs,
            "recurring_runs",
            **filters,
        )
    )
