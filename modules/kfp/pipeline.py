"""`Pipeline`: a KFP pipeline (the container of versions) in the connection's namespace.

- create: fails with a clear error if a pipeline of that name already exists there (import it
  with `pulumi import` instead of silently taking it over);
- read: the live pipeline, or gone (`pulumi refresh` drops it from state);
- delete: its versions first, then the pipeline (works on backends without `cascade`); anything
  already gone counts as deleted;
- KFP 2.16 has no update call for pipelines: a changed name or description replaces the
  pipeline, and with it its versions and the recurring runs that use them. With an unchanged
  name the old one is deleted first (names are unique per namespace).
"""

from __future__ import annotations

from typing import Any

import pulumi
import pulumi.dynamic
from kfp_server_api import models

from modules.kfp.base import KfpProvider, resource_options, timestamp
from modules.kfp.client import KfpApi, list_versions
from modules.kfp.connection import KfpConnection
from modules.kfp.errors import KfpConflict, KfpNotFound
from modules.kfp.props import diff_result, failures

REPLACE_KEYS: tuple[str, ...] = ("name", "description")


def find_pipeline(api: KfpApi, name: str) -> models.V2beta1Pipeline | None:
    """The pipeline called `name` in the connection's namespace, if any."""
    return api.get_or_none(
        f"looking up pipeline {name!r}",
        api.pipelines.pipeline_service_get_pipeline_by_name,
        name,
        namespace=api.connection.namespace,
    )


class PipelineProvider(KfpProvider):
    """Dynamic provider for KFP pipelines (v2beta1 PipelineService)."""

    INPUTS = ("name", "description")

    def check(self, _olds: dict[str, Any], news: dict[str, Any]) -> pulumi.dynamic.CheckResult:
        problems = self.connection_failures(news) + self.required(news, ("name",))
        return pulumi.dynamic.CheckResult(news, failures(problems))

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> pulumi.dynamic.DiffResult:
        result = diff_result(olds, news, REPLACE_KEYS, ())
        if result.replaces:
            # Names are unique per namespace: the old pipeline must go before one of the same name comes.
            result.delete_before_replace = "name" not in result.replaces
        return result

    def create(self, props: dict[str, Any]) -> pulumi.dynamic.CreateResult:
        inputs = self.working_inputs(props)
        name = inputs["name"]
        with self.api(props) as api:
            namespace = api.connection.namespace
            existing = find_pipeline(api, name)
            if existing is not None:
                raise KfpConflict(
                    f"pipeline {name!r} already exists in namespace {namespace} (id {existing.pipeline_id}): "
                    "import it with `pulumi import` or delete it first"
                )
            body = models.V2beta1Pipeline(
                name=name, display_name=name, description=inputs.get("description"), namespace=namespace
            )
            created = api.call(
                f"creating pipeline {name!r}",
                api.pipelines.pipeline_service_create_pipeline,
                body,
                recover=lambda: find_pipeline(api, name),
            )
        outs = self.outputs(inputs, pipeline_id=created.pipeline_id, created_at=timestamp(created.created_at))
        return pulumi.dynamic.CreateResult(created.pipeline_id, outs)

    def read(self, id_: str, props: dict[str, Any]) -> pulumi.dynamic.ReadResult:
        inputs = self.working_inputs(props)
        with self.api(props) as api:
            live = api.get_or_none(
                f"reading pipeline {id_}", api.pipelines.pipeline_service_get_pipeline, id_
            )
        if live is None:
            return pulumi.dynamic.ReadResult("", {})
        inputs.update({"name": live.name, "description": live.description})
        inputs = {key: value for key, value in inputs.items() if value is not None}
        outs = self.outputs(inputs, pipeline_id=live.pipeline_id, created_at=timestamp(live.created_at))
        return pulumi.dynamic.ReadResult(id_, outs, self.working_inputs(outs))

    def update(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> pulumi.dynamic.UpdateResult:
        # Only the connection's auth settings can change in place: nothing to send to KFP.
        outs = self.outputs(
            self.working_inputs(news), pipeline_id=olds.get("pipeline_id"), created_at=olds.get("created_at")
        )
        return pulumi.dynamic.UpdateResult(outs)

    def delete(self, id_: str, props: dict[str, Any]) -> None:
        with self.api(props) as api:
            try:
                versions = list_versions(api, id_)
            except KfpNotFound:
                return
            for version in versions:
                api.delete(
                    f"deleting version {version.name!r} of pipeline {id_}",
                    api.pipelines.pipeline_service_delete_pipeline_version,
                    id_,
                    version.pipeline_version_id,
                )
            api.delete(f"deleting pipeline {id_}", api.pipelines.pipeline_service_delete_pipeline, id_)


class Pipeline(pulumi.dynamic.Resource, module="kfp", name="Pipeline"):
    """A KFP pipeline; its versions are `PipelineVersion` resources."""

    pipeline_id: pulumi.Output[str]
    name: pulumi.Output[str]

    def __init__(
        self,
        resource_name: str,
        connection: KfpConnection,
        name: pulumi.Input[str],
        description: pulumi.Input[str] | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        props: dict[str, Any] = {
            **connection.to_inputs(),
            "name": name,
            "description": description,
            "pipeline_id": None,
            "created_at": None,
        }
        super().__init__(PipelineProvider(), resource_name, props, resource_options(opts))
