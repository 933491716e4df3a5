"""The environment's `pipelines:` section as Kubeflow Pipelines objects: each registered pipeline
compiled for this environment's placements and claims, with a version named by content; the
experiments; the recurring runs; and the service account kfstack authenticates as."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pulumi

from modules.kfp import experiment, pipeline, pipeline_version, recurring_run
from stacks.component_spec import ComponentSpec
from stacks.components.cluster import Cluster
from stacks.context import StackContext
from stacks.mock_values import stable_uuid
from stacks.pipeline_target import pipeline_target

if TYPE_CHECKING:
    from modules.gpu import PoolPlacement
    from modules.kfp.connection import KfpConnection
    from modules.volumes import VolumeSpec


def _id_from(key: str, output: str) -> Any:
    """Mock outputs whose id follows the input that identifies the object upstream (`key`)."""
    return lambda name, inputs: {output: stable_uuid(f"{name}/{inputs.get(key)}")}


# the endpoint or namespace of an object's connection is where it lives: another one is another object
_MOVES = ("connection.endpoint", "connection.namespace")

SPEC = ComponentSpec(
    name="kfp-resources",
    summary="registered pipelines (versions by content), experiments and recurring runs in KFP",
    mock_outputs={
        "pulumi-python:dynamic/kfp:Pipeline": _id_from("name", "pipeline_id"),
        # a new spec is a new version name, so the schedules pointing at it see a new id
        "pulumi-python:dynamic/kfp:PipelineVersion": _id_from("name", "pipeline_version_id"),
        "pulumi-python:dynamic/kfp:Experiment": _id_from("name", "experiment_id"),
        "pulumi-python:dynamic/kfp:RecurringRun": _id_from("name", "recurring_run_id"),
    },
    replace_on={
        "pulumi-python:dynamic/kfp:Pipeline": (*pipeline.REPLACE_KEYS, *_MOVES),
        "pulumi-python:dynamic/kfp:PipelineVersion": (*pipeline_version.REPLACE_KEYS, *_MOVES),
        "pulumi-python:dynamic/kfp:Experiment": (*experiment.REPLACE_KEYS, *_MOVES),
        "pulumi-python:dynamic/kfp:RecurringRun": (*recurring_run.REPLACE_KEYS, *_MOVES),
    },
)

STEPS_DIR = Path(__file__).resolve().parents[2] / "pipelines" / "steps"
"""The step code baked into the runtime image; the IR does not contain it, so it is hashed too."""


def kfp_connection(stack: StackContext, cluster: Cluster) -> KfpConnection:
    """How the KFP resources reach the API, from `pipelines.kfp` and the stack's cluster."""
    from modules.kfp.connection import KfpConnection

    config = stack.config.pipelines
    auth = config.kfp.auth
    assert config.kfp.endpoint is not None  # the schema requires it while anything is registered
    common: dict[str, Any] = {
        "endpoint": config.kfp.endpoint,
        "namespace": config.namespace,
        "auth": auth.mode,
        "verify_tls": config.kfp.verify_tls,
    }
    if auth.mode == "serviceAccountToken":
        return KfpConnection(
            **common,
            kubeconfig=cluster.kubeconfig,
            kube_context=cluster.context,
            service_account=auth.service_account,
        )
    if auth.mode == "oidcToken":
        assert auth.token is not None
        return KfpConnection(**common, token=auth.token.as_output())
    if auth.mode == "dexPassword":
        assert auth.password is not None
        return KfpConnection(**common, username=auth.username, password=auth.password.as_output())
    return KfpConnection(**common)


def build_kfp_resources(
    stack: StackContext,
    cluster: Cluster,
    namespaces: Mapping[str, pulumi.Resource],
    placements: Mapping[str, PoolPlacement],
    claims: Mapping[str, VolumeSpec],
) -> dict[str, str]:
    """Pipeline name -> its current version name; empty when nothing is registered."""
    config = stack.config.pipelines
    if not config.manages_kfp_objects():
        return {}
    from modules.kfp.objects import ExperimentSpec, KfpObjects, KfpObjectsArgs, PipelineSource, ScheduleSpec
    from modules.kfp.versioning import files_digest, version_name
    from modules.kfp_access import KfpAccess, KfpAccessArgs
    from pipelines.catalog import compile_pipeline, get_pipeline

    waits: list[pulumi.Resource] = []
    if config.namespace in namespaces:
        waits.append(namespaces[config.namespace])
    if config.kfp.auth.mode == "serviceAccountToken":
        access = KfpAccess(
            "kfp-access",
            KfpAccessArgs(config.kfp.auth.service_account, config.namespace),
            opts=pulumi.ResourceOptions.merge(cluster.options(), pulumi.ResourceOptions(depends_on=waits)),
        )
        waits.append(access)
    target = pipeline_target(stack.config, placements, claims)
    steps = files_digest(STEPS_DIR)
    sources = []
    for name in config.registered:
        spec = compile_pipeline(name, target)
        sources.append(
            PipelineSource(name, get_pipeline(name).description, spec, version_name(name, spec, steps))
        )
    objects = KfpObjects(
        "kfp",
        KfpObjectsArgs(
            connection=kfp_connection(stack, cluster),
            pipelines=tuple(sources),
            experiments=tuple(ExperimentSpec(n, e.description) for n, e in config.experiments.items()),
            schedules=tuple(
                ScheduleSpec(
                    name=n,
                    pipeline=s.pipeline,
                    experiment=s.experiment,
                    cron=s.cron,
                    interval_seconds=s.interval_seconds,
                    max_concurrency=s.max_concurrency,
                    no_catchup=s.no_catchup,
                    enabled=s.enabled,
                    service_account=s.service_account,
                    parameters=dict(s.parameters),
                )
                for n, s in config.schedules.items()
            ),
            keep_versions=config.keep_versions,
            kfp_version=stack.config.components.version_of("kubeflowPipelines"),
        ),
        opts=pulumi.ResourceOptions(depends_on=waits),
    )
    pulumi.export("pipelineVersions", objects.versions)
    return objects.versions
