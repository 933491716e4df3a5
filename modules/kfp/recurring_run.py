"""`RecurringRun`: a KFP schedule (cron or interval) of one pipeline version in an experiment.

KFP has no update call for recurring runs. Only `enabled` changes in place (the enable and
disable calls); any other change replaces the schedule, and so does a new `kfp_version`:
existing schedules keep the workflow spec they were created with, so after a KFP upgrade they
must be recreated to run with the new backend.

Replacement order: delete-before-replace. The old schedule is deleted before its successor is
created, so two schedules never exist at once and a trigger cannot fire twice during the swap.
Failure mode: if the create fails after the delete (bad input the server rejects, the API down
after retries), there is no schedule until the next successful `pulumi up`. That is loud, not
silent: the `up` fails naming the error, the old schedule is gone from state, and the next
preview shows the recurring run as a create. Create-before-delete was rejected because the old
and new schedule would both be enabled until the end of the deployment.

Create checks that the experiment and the pipeline version exist (a missing one is named in
the error) and adopts an identical schedule of the same name left by an interrupted run rather
than creating a second one; a different one of the same name is an error. The namespace comes
from the experiment. KFP ignores `enable_caching` for version-referenced recurring runs
(kubeflow/pipelines#14253), so there is no such input: set caching per task when compiling.
`read` reports the live schedule, so `pulumi refresh` shows one deleted, disabled or changed
upstream.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pulumi
import pulumi.dynamic
from kfp_server_api import models

from modules.kfp.base import KfpProvider, resource_options, timestamp
from modules.kfp.client import KfpApi, list_recurring_runs
from modules.kfp.connection import KfpConnection
from modules.kfp.errors import KfpConflict, KfpMissingParent
from modules.kfp.props import diff_result, failures, is_unknown, plain
from modules.kfp.schedule import schedule_of, schedule_problems, trigger

_UPDATE = ("enabled",)
REPLACE_KEYS: tuple[str, ...] = (
    "name",
    "description",
    "pipeline_id",
    "pipeline_version_id",
    "experiment_id",
    "cron",
    "interval_seconds",
    "parameters",
    "max_concurrency",
    "no_catchup",
    "service_account",
    "kfp_version",
)
_REQUIRED = ("name", "pipeline_id", "pipeline_version_id", "experiment_id", "max_concurrency", "kfp_version")


def run_parameters(parameters: Mapping[str, Any] | None) -> dict[str, Any]:
    """Runtime parameters for KFP; integral floats (how numbers cross the host) become ints."""
    return dict(plain(dict(parameters or {})))


def recurring_run_body(inputs: Mapping[str, Any]) -> models.V2beta1RecurringRun:
    """The v2beta1RecurringRun to create for these inputs."""
    return models.V2beta1RecurringRun(
        display_name=inputs["name"],
        description=inputs.get("description"),
        pipeline_version_reference=models.V2beta1PipelineVersionReference(
            pipeline_id=inputs["pipeline_id"], pipeline_version_id=inputs["pipeline_version_id"]
        ),
        runtime_config=models.V2beta1RuntimeConfig(parameters=run_parameters(inputs.get("parameters"))),
        service_account=inputs.get("service_account"),
        max_concurrency=str(int(inputs["max_concurrency"])),
        trigger=trigger(inputs.get("cron"), inputs.get("interval_seconds")),
        mode="ENABLE" if inputs.get("enabled", True) else "DISABLE",
        no_catchup=bool(inputs.get("no_catchup", False)),
        experiment_id=inputs["experiment_id"],
    )


def live_inputs(live: models.V2beta1RecurringRun) -> dict[str, Any]:
    """The input view of a live recurring run (what `read` reports for drift)."""
    reference = live.pipeline_version_reference or models.V2beta1PipelineVersionReference()
    runtime = live.runtime_config or models.V2beta1RuntimeConfig()
    values: dict[str, Any] = {
        "name": live.display_name,
        "description": live.description,
        "pipeline_id": reference.pipeline_id,
        "pipeline_version_id": reference.pipeline_version_id,
        "experiment_id": live.experiment_id,
        "parameters": run_parameters(runtime.parameters),
        "max_concurrency": int(live.max_concurrency) if live.max_concurrency else None,
        "no_catchup": bool(live.no_catchup),
        "service_account": live.service_account or None,
        "enabled": live.status == "ENABLED",
        **schedule_of(live.trigger),
    }
    return {key: value for key, value in values.items() if value not in (None, "")}


def _same_schedule(live: models.V2beta1RecurringRun, inputs: Mapping[str, Any]) -> bool:
    seen = live_inputs(live)
    keys = ("name", "pipeline_id", "pipeline_version_id", "cron", "interval_seconds", "max_concurrency")
    return all(seen.get(key) == plain(inputs.get(key)) for key in keys) and seen.get(
        "parameters", {}
    ) == run_parameters(inputs.get("parameters"))


def find_same_schedule(api: KfpApi, inputs: Mapping[str, Any]) -> models.V2beta1RecurringRun | None:
    """An existing schedule of this name in the experiment; KfpConflict if it differs from `inputs`."""
    for live in list_recurring_runs(api, experiment_id=inputs["experiment_id"]):
        if live.display_name != inputs["name"]:
            continue
        if _same_schedule(live, inputs):
            return live
        raise KfpConflict(
            f"experiment {inputs['experiment_id']} already has a recurring run named {inputs['name']!r} "
            f"(id {live.recurring_run_id}) with a different schedule or version: delete it or import it"
        )
    return None


def require_parents(api: KfpApi, inputs: Mapping[str, Any]) -> models.V2beta1Experiment:
    """The experiment (the schedule's namespace comes from it); KfpMissingParent names what is missing."""
    experiment = api.get_or_none(
        f"reading experiment {inputs['experiment_id']}",
        api.experiments.experiment_service_get_experiment,
        inputs["experiment_id"],
    )
    if experiment is None:
        raise KfpMissingParent(f"experiment {inputs['experiment_id']} not found at {api.connection.endpoint}")
    version = api.get_or_none(
        f"reading pipeline version {inputs['pipeline_version_id']}",
        api.pipelines.pipeline_service_get_pipeline_version,
        inputs["pipeline_id"],
        inputs["pipeline_version_id"],
    )
    if version is None:
        raise KfpMissingParent(
            f"pipeline version {inputs['pipeline_version_id']} of pipeline {inputs['pipeline_id']} not found "
            f"at {api.connection.endpoint}"
        )
    return experiment


class RecurringRunProvider(KfpProvider):
    """Dynamic provider for KFP recurring runs (v2beta1 RecurringRunService)."""

    INPUTS = (*REPLACE_KEYS, *_UPDATE)

    def check(self, _olds: dict[str, Any], news: dict[str, Any]) -> pulumi.dynamic.CheckResult:
        problems = self.connection_failures(news)
        problems += self.required(news, _REQUIRED)
        problems += list(schedule_problems(news))
        parameters = news.get("parameters")
        if parameters is not None and not is_unknown(parameters) and not isinstance(parameters, Mapping):
            problems.append(("parameters", "parameters must be a mapping of name to value"))
        return pulumi.dynamic.CheckResult(news, failures(problems))

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> pulumi.dynamic.DiffResult:
        return diff_result(olds, news, REPLACE_KEYS, _UPDATE, delete_before_replace=True)

    def create(self, props: dict[str, Any]) -> pulumi.dynamic.CreateResult:
        inputs = self.working_inputs(props)
        inputs.setdefault("enabled", True)
        with self.api(props) as api:
            require_parents(api, inputs)
            created = find_same_schedule(api, inputs)
            if created is None:
                created = api.call(
                    f"creating recurring run {inputs['name']!r}",
                    api.recurring_runs.recurring_run_service_create_recurring_run,
                    recurring_run_body(inputs),
                    recover=lambda: find_same_schedule(api, inputs),
                )
            elif (created.status == "ENABLED") != bool(inputs["enabled"]):
                self._set_enabled(api, created.recurring_run_id, bool(inputs["enabled"]))
        outs = self.outputs(
            inputs,
            recurring_run_id=created.recurring_run_id,
            namespace=created.namespace,
            created_at=timestamp(created.created_at),
        )
        return pulumi.dynamic.CreateResult(created.recurring_run_id, outs)

    def read(self, id_: str, props: dict[str, Any]) -> pulumi.dynamic.ReadResult:
        inputs = self.working_inputs(props)
        with self.api(props) as api:
            live = api.get_or_none(
                f"reading recurring run {id_}",
                api.recurring_runs.recurring_run_service_get_recurring_run,
                id_,
            )
        if live is None:
            return pulumi.dynamic.ReadResult("", {})
        for key in ("cron", "interval_seconds", "description", "service_account"):
            inputs.pop(key, None)
        inputs.update(live_inputs(live))
        outs = self.outputs(
            inputs, recurring_run_id=id_, namespace=live.namespace, created_at=timestamp(live.created_at)
        )
        return pulumi.dynamic.ReadResult(id_, outs, self.working_inputs(outs))

    def update(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> pulumi.dynamic.UpdateResult:
        inputs = self.working_inputs(news)
        inputs.setdefault("enabled", True)
        if bool(plain(olds.get("enabled", True))) != bool(inputs["enabled"]):
            with self.api(news) as api:
                self._set_enabled(api, id_, bool(inputs["enabled"]))
        outs = self.outputs(
            inputs, recurring_run_id=id_, namespace=olds.get("namespace"), created_at=olds.get("created_at")
        )
        return pulumi.dynamic.UpdateResult(outs)

    def delete(self, id_: str, props: dict[str, Any]) -> None:
        with self.api(props) as api:
            api.delete(
                f"deleting recurring run {id_}",
                api.recurring_runs.recurring_run_service_delete_recurring_run,
                id_,
            )

    @staticmethod
    def _set_enabled(api: KfpApi, id_: str, enabled: bool) -> None:
        service = api.recurring_runs
        if enabled:
            api.call(f"enabling recurring run {id_}", service.recurring_run_service_enable_recurring_run, id_)
        else:
            api.call(
                f"disabling recurring run {id_}", service.recurring_run_service_disable_recurring_run, id_
            )


class RecurringRun(pulumi.dynamic.Resource, module="kfp", name="RecurringRun"):
    """A schedule of a pipeline version: exactly one of `cron` (6 fields) or `interval_seconds`."""

    recurring_run_id: pulumi.Output[str]
    namespace: pulumi.Output[str]

    def __init__(
        self,
        resource_name: str,
        connection: KfpConnection,
        name: pulumi.Input[str],
        pipeline_id: pulumi.Input[str],
        pipeline_version_id: pulumi.Input[str],
        experiment_id: pulumi.Input[str],
        kfp_version: pulumi.Input[str],
        max_concurrency: pulumi.Input[int],
        cron: pulumi.Input[str] | None = None,
        interval_seconds: pulumi.Input[int] | None = None,
        parameters: pulumi.Input[Mapping[str, Any]] | None = None,
        no_catchup: pulumi.Input[bool] = True,
        enabled: pulumi.Input[bool] = True,
        service_account: pulumi.Input[str] | None = None,
        description: pulumi.Input[str] | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        props: dict[str, Any] = {
            **connection.to_inputs(),
            "name": name,
            "description": description,
            "pipeline_id": pipeline_id,
            "pipeline_version_id": pipeline_version_id,
            "experiment_id": experiment_id,
            "kfp_version": kfp_version,
            "cron": cron,
            "interval_seconds": interval_seconds,
            "parameters": parameters or {},
            "max_concurrency": max_concurrency,
            "no_catchup": no_catchup,
            "enabled": enabled,
            "service_account": service_account,
            "recurring_run_id": None,
            "namespace": None,
            "created_at": None,
        }
        super().__init__(RecurringRunProvider(), resource_name, props, resource_options(opts))
