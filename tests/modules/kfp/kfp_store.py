"""The in-memory state and semantics behind the test KFP API server, per swagger operationId.

Objects are kfp-server-api model instances. The rules are KFP's as far as the providers rely
on them: unique pipeline names per namespace, unique version names per pipeline, unique
experiment names per namespace, a pipeline with versions cannot be deleted without cascade,
recurring runs take their namespace from the experiment and need an existing version.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from typing import Any

import yaml
from kfp_server_api import ApiClient, models

from modules.kfp.schedule import cron_problem


class ApiError(Exception):
    """An error answer: HTTP status and message."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def _now_factory() -> Callable[[], datetime]:
    last = [datetime.now(UTC)]

    def now() -> datetime:
        last[0] = max(datetime.now(UTC), last[0] + timedelta(milliseconds=1))
        return last[0]

    return now


def _page(items: list[Any], args: dict[str, str], key: Callable[[Any], Any]) -> tuple[list[Any], str]:
    order = args.get("sort_by", "created_at")
    reverse = order.endswith(" desc")
    ordered = sorted(items, key=key, reverse=reverse)
    start = int(args.get("page_token") or 0)
    size = int(args.get("page_size") or 20)
    chunk = ordered[start : start + size]
    token = str(start + size) if start + size < len(ordered) else ""
    return chunk, token


def _matches_filter(item: Any, args: dict[str, str]) -> bool:
    if not args.get("filter"):
        return True
    for predicate in json.loads(args["filter"]).get("predicates", []):
        value = getattr(item, predicate["key"], None)
        if predicate.get("operation") == "EQUALS" and value != predicate.get("string_value"):
            return False
    return True


class KfpStore:
    """Pipelines, versions, experiments, recurring runs and runs, with KFP's rules."""

    def __init__(self) -> None:
        self.pipelines: dict[str, models.V2beta1Pipeline] = {}
        self.versions: dict[str, models.V2beta1PipelineVersion] = {}
        self.experiments: dict[str, models.V2beta1Experiment] = {}
        self.recurring_runs: dict[str, models.V2beta1RecurringRun] = {}
        self.runs: dict[str, models.V2beta1Run] = {}
        self.run_scripts: dict[str, list[str]] = {}
        self.new_run_script: list[str] | None = None
        self.now = _now_factory()
        self._client = ApiClient()

    def model(self, data: Any, klass: str) -> Any:
        """The model for a request body, as the generated client would build it."""
        return self._client.deserialize(SimpleNamespace(data=json.dumps(data)), klass)

    def handle(
        self, operation: str, path: dict[str, str], args: dict[str, str], body: Any, upload: bytes | None
    ) -> Any:
        handler = getattr(self, f"op_{operation}", None)
        if handler is None:
            raise ApiError(501, f"{operation} is not implemented by the test server")
        return handler(path=path, args=args, body=body, upload=upload)

    # helpers ---------------------------------------------------------------------------------
    def pipeline(self, pipeline_id: str) -> models.V2beta1Pipeline:
        if pipeline_id not in self.pipelines:
            raise ApiError(404, f"pipeline {pipeline_id} not found")
        return self.pipelines[pipeline_id]

    def version(self, pipeline_id: str, version_id: str) -> models.V2beta1PipelineVersion:
        version = self.versions.get(version_id)
        if version is None or version.pipeline_id != pipeline_id:
            raise ApiError(404, f"pipeline version {version_id} of pipeline {pipeline_id} not found")
        return version

    def experiment(self, experiment_id: str) -> models.V2beta1Experiment:
        if experiment_id not in self.experiments:
            raise ApiError(404, f"experiment {experiment_id} not found")
        return self.experiments[experiment_id]

    def recurring_run(self, recurring_run_id: str) -> models.V2beta1RecurringRun:
        if recurring_run_id not in self.recurring_runs:
            raise ApiError(404, f"recurring run {recurring_run_id} not found")
        return self.recurring_runs[recurring_run_id]

    @staticmethod
    def _created(item: Any) -> datetime:
        return item.created_at

    # health ----------------------------------------------------------------------------------
    def op_HealthzService_GetHealthz(self, **_: Any) -> Any:
        return models.V2beta1GetHealthzResponse(multi_user=True, pipeline_store="database")

    # pipelines -------------------------------------------------------------------------------
    def op_PipelineService_CreatePipeline(self, body: Any, **_: Any) -> Any:
        pipeline = self.model(body, "V2beta1Pipeline")
        if not pipeline.name:
            raise ApiError(400, "pipeline name is required")
        namespace = pipeline.namespace or ""
        if any(p.name == pipeline.name and (p.namespace or "") == namespace for p in self.pipelines.values()):
            raise ApiError(409, f"pipeline {pipeline.name} already exists in namespace {namespace!r}")
        pipeline.pipeline_id = str(uuid.uuid4())
        pipeline.created_at = self.now()
        self.pipelines[pipeline.pipeline_id] = pipeline
        return pipeline

    def op_PipelineService_GetPipelineByName(
        self, path: dict[str, str], args: dict[str, str], **_: Any
    ) -> Any:
        namespace = args.get("namespace", "")
        for pipeline in self.pipelines.values():
            if pipeline.name == path["name"] and (pipeline.namespace or "") == namespace:
                return pipeline
        raise ApiError(404, f"pipeline named {path['name']} not found in namespace {namespace!r}")

    def op_PipelineService_GetPipeline(self, path: dict[str, str], **_: Any) -> Any:
        return self.pipeline(path["pipeline_id"])

    def op_PipelineService_ListPipelines(self, args: dict[str, str], **_: Any) -> Any:
        namespace = args.get("namespace", "")
        items = [
            p
            for p in self.pipelines.values()
            if (p.namespace or "") == namespace and _matches_filter(p, args)
        ]
        chunk, token = _page(items, args, self._created)
        return models.V2beta1ListPipelinesResponse(
            pipelines=chunk, total_size=len(items), next_page_token=token
        )

    def op_PipelineService_DeletePipeline(self, path: dict[str, str], args: dict[str, str], **_: Any) -> Any:
        pipeline = self.pipeline(path["pipeline_id"])
        versions = [v for v in self.versions.values() if v.pipeline_id == pipeline.pipeline_id]
        if versions and args.get("cascade") != "true":
            raise ApiError(
                400, f"pipeline {pipeline.pipeline_id} has {len(versions)} versions; delete them first"
            )
        for version in versions:
            del self.versions[version.pipeline_version_id]
        del self.pipelines[pipeline.pipeline_id]
        return None

    # versions --------------------------------------------------------------------------------
    def op_PipelineService_ListPipelineVersions(
        self, path: dict[str, str], args: dict[str, str], **_: Any
    ) -> Any:
        pipeline = self.pipeline(path["pipeline_id"])
        items = [
            v
            for v in self.versions.values()
            if v.pipeline_id == pipeline.pipeline_id and _matches_filter(v, args)
        ]
        chunk, token = _page(items, args, self._created)
        return models.V2beta1ListPipelineVersionsResponse(
            pipeline_versions=chunk, total_size=len(items), next_page_token=token
        )

    def op_PipelineService_GetPipelineVersion(self, path: dict[str, str], **_: Any) -> Any:
        return self.version(path["pipeline_id"], path["pipeline_version_id"])

    def op_PipelineService_DeletePipelineVersion(self, path: dict[str, str], **_: Any) -> Any:
        version = self.version(path["pipeline_id"], path["pipeline_version_id"])
        del self.versions[version.pipeline_version_id]
        return None

    def op_UploadPipelineVersion(self, args: dict[str, str], upload: bytes | None, **_: Any) -> Any:
        pipeline = self.pipeline(args.get("pipelineid", ""))
        name = args.get("name") or ""
        if not name:
            raise ApiError(400, "pipeline version name is required")
        if any(v.pipeline_id == pipeline.pipeline_id and v.name == name for v in self.versions.values()):
            raise ApiError(409, f"pipeline version {name} already exists in pipeline {pipeline.pipeline_id}")
        try:
            docs = [doc for doc in yaml.safe_load_all(upload or b"") if doc is not None]
        except yaml.YAMLError as error:
            raise ApiError(400, f"invalid pipeline spec: {error}") from error
        if not docs or not isinstance(docs[0], dict) or "pipelineInfo" not in docs[0]:
            raise ApiError(400, "invalid pipeline spec: no pipelineInfo")
        spec = docs[0] if len(docs) == 1 else {"pipeline_spec": docs[0], "platform_spec": docs[1]}
        version = models.V2beta1PipelineVersion(
            pipeline_id=pipeline.pipeline_id,
            pipeline_version_id=str(uuid.uuid4()),
            name=name,
            display_name=args.get("display_name") or name,
            description=args.get("description"),
            created_at=self.now(),
            pipeline_spec=spec,
        )
        self.versions[version.pipeline_version_id] = version
        return version

    # experiments -----------------------------------------------------------------------------
    def op_ExperimentService_CreateExperiment(self, body: Any, **_: Any) -> Any:
        experiment = self.model(body, "V2beta1Experiment")
        if not experiment.display_name:
            raise ApiError(400, "experiment display_name is required")
        namespace = experiment.namespace or ""
        if any(
            e.display_name == experiment.display_name and e.namespace == namespace
            for e in self.experiments.values()
        ):
            raise ApiError(
                409, f"experiment {experiment.display_name} already exists in namespace {namespace!r}"
            )
        experiment.experiment_id = str(uuid.uuid4())
        experiment.namespace = namespace
        experiment.created_at = self.now()
        experiment.storage_state = "AVAILABLE"
        self.experiments[experiment.experiment_id] = experiment
        return experiment

    def op_ExperimentService_GetExperiment(self, path: dict[str, str], **_: Any) -> Any:
        return self.experiment(path["experiment_id"])

    def op_ExperimentService_ListExperiments(self, args: dict[str, str], **_: Any) -> Any:
        namespace = args.get("namespace", "")
        items = [
            e for e in self.experiments.values() if e.namespace == namespace and _matches_filter(e, args)
        ]
        chunk, token = _page(items, args, self._created)
        return models.V2beta1ListExperimentsResponse(
            experiments=chunk, total_size=len(items), next_page_token=token
        )

    def op_ExperimentService_DeleteExperiment(self, path: dict[str, str], **_: Any) -> Any:
        del self.experiments[self.experiment(path["experiment_id"]).experiment_id]
        return None

    def op_ExperimentService_ArchiveExperiment(self, path: dict[str, str], **_: Any) -> Any:
        self.experiment(path["experiment_id"]).storage_state = "ARCHIVED"
        return None

    def op_ExperimentService_UnarchiveExperiment(self, path: dict[str, str], **_: Any) -> Any:
        self.experiment(path["experiment_id"]).storage_state = "AVAILABLE"
        return None

    # recurring runs --------------------------------------------------------------------------
    def op_RecurringRunService_CreateRecurringRun(self, body: Any, **_: Any) -> Any:
        run = self.model(body, "V2beta1RecurringRun")
        if not run.display_name:
            raise ApiError(400, "recurring run display_name is required")
        experiment = self.experiment(run.experiment_id or "")
        reference = run.pipeline_version_reference
        if reference is None or not reference.pipeline_id or not reference.pipeline_version_id:
            raise ApiError(400, "pipeline_version_reference needs pipeline_id and pipeline_version_id")
        self.version(reference.pipeline_id, reference.pipeline_version_id)
        trigger = run.trigger
        has_cron = (
            trigger is not None and trigger.cron_schedule is not None and bool(trigger.cron_schedule.cron)
        )
        has_interval = trigger is not None and trigger.periodic_schedule is not None
        if has_cron == has_interval:
            raise ApiError(400, "trigger needs exactly one of cron_schedule or periodic_schedule")
        if has_cron and (why := cron_problem(trigger.cron_schedule.cron)):
            raise ApiError(400, f"invalid cron: {why}")
        if not 1 <= int(run.max_concurrency or 0) <= 10:
            raise ApiError(400, "max_concurrency must be within 1..10")
        if run.mode not in ("ENABLE", "DISABLE"):
            raise ApiError(400, "mode must be ENABLE or DISABLE")
        run.recurring_run_id = str(uuid.uuid4())
        run.namespace = experiment.namespace
        run.created_at = run.updated_at = self.now()
        run.status = "ENABLED" if run.mode == "ENABLE" else "DISABLED"
        self.recurring_runs[run.recurring_run_id] = run
        return run

    def op_RecurringRunService_GetRecurringRun(self, path: dict[str, str], **_: Any) -> Any:
        return self.recurring_run(path["recurring_run_id"])

    def op_RecurringRunService_ListRecurringRuns(self, args: dict[str, str], **_: Any) -> Any:
        items = [
            r
            for r in self.recurring_runs.values()
            if (not args.get("namespace") or r.namespace == args["namespace"])
            and (not args.get("experiment_id") or r.experiment_id == args["experiment_id"])
            and _matches_filter(r, args)
        ]
        chunk, token = _page(items, args, self._created)
        return models.V2beta1ListRecurringRunsResponse(
            recurring_runs=chunk, total_size=len(items), next_page_token=token
        )

    def op_RecurringRunService_DeleteRecurringRun(self, path: dict[str, str], **_: Any) -> Any:
        del self.recurring_runs[self.recurring_run(path["recurring_run_id"]).recurring_run_id]
        return None

    def op_RecurringRunService_EnableRecurringRun(self, path: dict[str, str], **_: Any) -> Any:
        run = self.recurring_run(path["recurring_run_id"])
        run.status, run.mode, run.updated_at = "ENABLED", "ENABLE", self.now()
        return None

    def op_RecurringRunService_DisableRecurringRun(self, path: dict[str, str], **_: Any) -> Any:
        run = self.recurring_run(path["recurring_run_id"])
        run.status, run.mode, run.updated_at = "DISABLED", "DISABLE", self.now()
        return None

    # runs ------------------------------------------------------------------------------------
    def op_RunService_CreateRun(self, body: Any, **_: Any) -> Any:
        run = self.model(body, "V2beta1Run")
        if not run.display_name:
            raise ApiError(400, "run display_name is required")
        self.experiment(run.experiment_id or "")
        reference = run.pipeline_version_reference
        if reference is None or not reference.pipeline_id or not reference.pipeline_version_id:
            raise ApiError(400, "pipeline_version_reference needs pipeline_id and pipeline_version_id")
        self.version(reference.pipeline_id, reference.pipeline_version_id)
        run.run_id = str(uuid.uuid4())
        run.created_at = run.scheduled_at = self.now()
        run.state = "PENDING"
        run.storage_state = "AVAILABLE"
        self.runs[run.run_id] = run
        if self.new_run_script is not None:
            self.run_scripts[run.run_id] = list(self.new_run_script)
        return run

    def op_RunService_GetRun(self, path: dict[str, str], **_: Any) -> Any:
        run = self.runs.get(path["run_id"])
        if run is None:
            raise ApiError(404, f"run {path['run_id']} not found")
        script = self.run_scripts.get(run.run_id)
        if script:
            run.state = script.pop(0) if len(script) > 1 else script[0]
            if run.state in ("SUCCEEDED", "FAILED", "CANCELED", "SKIPPED") and run.finished_at is None:
                run.finished_at = self.now()
        return run

    def op_RunService_ListRuns(self, args: dict[str, str], **_: Any) -> Any:
        items = [
            r
            for r in self.runs.values()
            if (not args.get("experiment_id") or r.experiment_id == args["experiment_id"])
            and _matches_filter(r, args)
        ]
        chunk, token = _page(items, args, self._created)
        return models.V2beta1ListRunsResponse(runs=chunk, total_size=len(items), next_page_token=token)
