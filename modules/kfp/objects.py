"""An environment's Kubeflow Pipelines objects as one component: each pipeline with its current
version, the experiments, and the recurring runs that point at those versions."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import pulumi

from modules.kfp.connection import KfpConnection
from modules.kfp.experiment import Experiment
from modules.kfp.pipeline import Pipeline
from modules.kfp.pipeline_version import PipelineVersion
from modules.kfp.recurring_run import RecurringRun
from modules.options import child_options


@dataclass(frozen=True)
class PipelineSource:
    """A compiled pipeline: its KFP name, description, IR YAML and content-hash version name."""

    name: str
    description: str
    spec: str
    version: str


@dataclass(frozen=True)
class ExperimentSpec:
    """A KFP experiment (in the connection's namespace)."""

    name: str
    description: str


@dataclass(frozen=True)
class ScheduleSpec:
    """A recurring run of the current version of `pipeline`, in `experiment`."""

    name: str
    pipeline: str
    experiment: str
    cron: str | None
    interval_seconds: int | None
    max_concurrency: int
    no_catchup: bool
    enabled: bool
    service_account: str | None
    parameters: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class KfpObjectsArgs:
    """Everything registered in one KFP namespace."""

    connection: KfpConnection
    pipelines: tuple[PipelineSource, ...]
    experiments: tuple[ExperimentSpec, ...]
    schedules: tuple[ScheduleSpec, ...]
    keep_versions: int
    kfp_version: str
    """The KFP server version (compatibility matrix); a change recreates the schedules."""


class KfpObjects(pulumi.ComponentResource):
    """Pipelines → versions → recurring runs, and experiments; `versions` maps pipeline → version name."""

    versions: dict[str, str]

    def __init__(self, name: str, args: KfpObjectsArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("kfstack:kfp:Objects", name, None, opts)
        child = child_options(self, opts)
        connection = args.connection
        pipelines: dict[str, Pipeline] = {}
        versions: dict[str, PipelineVersion] = {}
        for source in args.pipelines:
            pipeline = Pipeline(
                f"pipeline-{source.name}",
                connection,
                name=source.name,
                description=source.description,
                opts=child,
            )
            pipelines[source.name] = pipeline
            versions[source.name] = PipelineVersion(
                f"pipeline-{source.name}-version",
                connection,
                pipeline_id=pipeline.pipeline_id,
                name=source.version,
                spec=source.spec,
                keep_versions=args.keep_versions,
                opts=child,
            )
        experiments = {
            spec.name: Experiment(
                f"experiment-{spec.name}",
                connection,
                name=spec.name,
                description=spec.description,
                opts=child,
            )
            for spec in args.experiments
        }
        for schedule in args.schedules:
            RecurringRun(
                f"schedule-{schedule.name}",
                connection,
                name=schedule.name,
                pipeline_id=pipelines[schedule.pipeline].pipeline_id,
                pipeline_version_id=versions[schedule.pipeline].pipeline_version_id,
                experiment_id=experiments[schedule.experiment].experiment_id,
                kfp_version=args.kfp_version,
                max_concurrency=schedule.max_concurrency,
                cron=schedule.cron,
                interval_seconds=schedule.interval_seconds,
                parameters=dict(schedule.parameters),
                no_catchup=schedule.no_catchup,
                enabled=schedule.enabled,
                service_account=schedule.service_account,
                opts=child,
            )
        self.versions = {source.name: source.version for source in args.pipelines}
        self.register_outputs({"versions": self.versions})
