"""`PipelineVersion`: one uploaded compiled spec (IR YAML) of a pipeline, named by its content.

Pulumi semantics chosen for versions (KFP has no update call for them):

- the name carries the content hash (`version_name()`), so an unchanged spec is no diff and no
  API call, and a changed spec is a replacement: create-before-delete, so the new version
  exists before recurring runs are re-pointed at it;
- create uploads the spec (multipart upload, as the kfp SDK does) after checking the parent
  pipeline exists; a version of the same name that already holds the same spec is adopted
  (a rollback to a retained version uploads nothing); the same name with other content is an
  error, since names must change with content;
- retention: a delete of a PipelineVersion resource never deletes its version outright. Pulumi
  does not tell a provider whether a delete is the tail of a replacement, so delete applies the
  retention rule instead: the pipeline keeps its newest `keep_versions` versions and those a
  recurring run still references; older ones go. Create applies the same rule after uploading.
  Versions otherwise leave KFP when their `Pipeline` is deleted (it deletes all its versions);
- `keep_versions` changes in place (and prunes); read reports a version deleted upstream as
  gone. The stored spec text is kept as given: the server returns the spec parsed, not the text.
"""

from __future__ import annotations

from typing import Any

import pulumi
import pulumi.dynamic
import yaml
from kfp_server_api import models

from modules.kfp.base import KfpProvider, resource_options, timestamp
from modules.kfp.client import KfpApi, find_version_by_name
from modules.kfp.connection import KfpConnection
from modules.kfp.errors import KfpConflict, KfpMissingParent
from modules.kfp.props import diff_result, failures, is_unknown
from modules.kfp.schedule import whole_number_in
from modules.kfp.versioning import prune_versions

REPLACE_KEYS: tuple[str, ...] = ("pipeline_id", "name", "spec", "description")
_UPDATE = ("keep_versions",)


def spec_documents(spec_text: str) -> list[Any]:
    """The YAML documents of a compiled spec (the pipeline spec, then an optional platform spec)."""
    return [doc for doc in yaml.safe_load_all(spec_text) if doc is not None]


def same_spec(live: Any, spec_text: str) -> bool:
    """Whether the server's parsed `pipeline_spec` holds the spec in `spec_text`."""
    docs = spec_documents(spec_text)
    if not docs:
        return False
    if live == docs[0]:
        return True
    # Specs with a platform spec come back as {"pipeline_spec": ..., "platform_spec": ...}.
    return isinstance(live, dict) and live.get("pipeline_spec") == docs[0]


def spec_problem(spec_text: Any) -> str | None:
    """Why `spec_text` is not a compiled KFP pipeline spec, or None."""
    if not isinstance(spec_text, str):
        return "spec must be the compiled pipeline's IR YAML text"
    try:
        docs = spec_documents(spec_text)
    except yaml.YAMLError as error:
        return f"spec is not valid YAML: {error}"
    if not docs or not isinstance(docs[0], dict) or "pipelineInfo" not in docs[0] or "root" not in docs[0]:
        return "spec is not a compiled KFP pipeline (IR YAML with pipelineInfo and root)"
    return None


def require_pipeline(api: KfpApi, pipeline_id: str) -> models.V2beta1Pipeline:
    """The parent pipeline, or KfpMissingParent naming it."""
    pipeline = api.get_or_none(
        f"reading pipeline {pipeline_id}", api.pipelines.pipeline_service_get_pipeline, pipeline_id
    )
    if pipeline is None:
        raise KfpMissingParent(
            f"pipeline {pipeline_id} not found at {api.connection.endpoint}: it was deleted outside Pulumi "
            "(run `pulumi refresh`, then `pulumi up` to recreate it)"
        )
    return pipeline


class PipelineVersionProvider(KfpProvider):
    """Dynamic provider for KFP pipeline versions."""

    INPUTS = ("pipeline_id", "name", "spec", "description", "keep_versions")

    def check(self, _olds: dict[str, Any], news: dict[str, Any]) -> pulumi.dynamic.CheckResult:
        problems = self.connection_failures(news) + self.required(news, ("pipeline_id", "name", "spec"))
        spec = news.get("spec")
        if spec is not None and not is_unknown(spec) and (why := spec_problem(spec)):
            problems.append(("spec", why))
        keep = news.get("keep_versions")
        if not is_unknown(keep) and not whole_number_in(keep, 1, float("inf")):
            problems.append(("keep_versions", f"must be a whole number >= 1, got {keep!r}"))
        return pulumi.dynamic.CheckResult(news, failures(problems))

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> pulumi.dynamic.DiffResult:
        return diff_result(olds, news, REPLACE_KEYS, _UPDATE, delete_before_replace=False)

    def create(self, props: dict[str, Any]) -> pulumi.dynamic.CreateResult:
        inputs = self.working_inputs(props)
        pipeline_id, name, spec = inputs["pipeline_id"], inputs["name"], inputs["spec"]
        with self.api(props) as api:
            require_pipeline(api, pipeline_id)
            version = find_version_by_name(api, pipeline_id, name)
            if version is not None:
                live = api.call(
                    f"reading version {name!r}",
                    api.pipelines.pipeline_service_get_pipeline_version,
                    pipeline_id,
                    version.pipeline_version_id,
                )
                if not same_spec(live.pipeline_spec, spec):
                    raise KfpConflict(
                        f"pipeline {pipeline_id} already has a version named {name!r} with a different spec: "
                        "version names must change with their content (use modules.kfp.version_name)"
                    )
            else:
                version = api.upload_version(pipeline_id, name, spec, inputs.get("description"))
            prune_versions(
                api, pipeline_id, int(inputs["keep_versions"]), protect=[version.pipeline_version_id]
            )
        outs = self.outputs(
            inputs, pipeline_version_id=version.pipeline_version_id, created_at=timestamp(version.created_at)
        )
        return pulumi.dynamic.CreateResult(version.pipeline_version_id, outs)

    def read(self, id_: str, props: dict[str, Any]) -> pulumi.dynamic.ReadResult:
        inputs = self.working_inputs(props)
        with self.api(props) as api:
            live = api.get_or_none(
                f"reading pipeline version {id_}",
                api.pipelines.pipeline_service_get_pipeline_version,
                inputs["pipeline_id"],
                id_,
            )
        if live is None:
            return pulumi.dynamic.ReadResult("", {})
        inputs.update({"name": live.name, "pipeline_id": live.pipeline_id})
        if live.description is not None:
            inputs["description"] = live.description
        outs = self.outputs(
            inputs, pipeline_version_id=live.pipeline_version_id, created_at=timestamp(live.created_at)
        )
        return pulumi.dynamic.ReadResult(id_, outs, self.working_inputs(outs))

    def update(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> pulumi.dynamic.UpdateResult:
        inputs = self.working_inputs(news)
        if int(olds.get("keep_versions") or 0) != int(inputs["keep_versions"]):
            with self.api(news) as api:
                prune_versions(api, inputs["pipeline_id"], int(inputs["keep_versions"]), protect=[id_])
        outs = self.outputs(inputs, pipeline_version_id=id_, created_at=olds.get("created_at"))
        return pulumi.dynamic.UpdateResult(outs)

    def delete(self, id_: str, props: dict[str, Any]) -> None:
        inputs = self.working_inputs(props)
        with self.api(props) as api:
            pipeline = api.get_or_none(
                f"reading pipeline {inputs['pipeline_id']}",
                api.pipelines.pipeline_service_get_pipeline,
                inputs["pipeline_id"],
            )
            if pipeline is None:
                return  # the pipeline, and so every version, is gone already
            prune_versions(api, inputs["pipeline_id"], int(inputs.get("keep_versions") or 1))


class PipelineVersion(pulumi.dynamic.Resource, module="kfp", name="PipelineVersion"):
    """A version of a `Pipeline`: the compiled IR YAML, named `version_name(pipeline, spec, extra)`."""

    pipeline_version_id: pulumi.Output[str]
    name: pulumi.Output[str]

    def __init__(
        self,
        resource_name: str,
        connection: KfpConnection,
        pipeline_id: pulumi.Input[str],
        name: pulumi.Input[str],
        spec: pulumi.Input[str],
        keep_versions: pulumi.Input[int],
        description: pulumi.Input[str] | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        props: dict[str, Any] = {
            **connection.to_inputs(),
            "pipeline_id": pipeline_id,
            "name": name,
            "spec": spec,
            "keep_versions": keep_versions,
            "description": description,
            "pipeline_version_id": None,
            "created_at": None,
        }
        super().__init__(PipelineVersionProvider(), resource_name, props, resource_options(opts))
