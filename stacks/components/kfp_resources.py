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
    from modules.kfp.objects import PipelineSource
    from modules.volumes import VolumeSpec
    from pipelines.placement import PipelineTarget
    from stacks.config.pipeline_schedules import PipelinesConfig
    from stacks.config.secrets import SecretRef


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


def kfp_connection(
    config: PipelinesConfig,
    kubeconfig: pulumi.Input[str] | None,
    context: str | None,
    secret: pulumi.Input[str] | None = None,
) -> KfpConnection:
    """How to reach and authenticate to the environment's KFP API.

    `kubeconfig`/`context` reach the cluster (serviceAccountToken mints tokens through it);
    `secret` is the token (oidcToken) or password (dexPassword).
    """
    from modules.kfp.connection import KfpConnection

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
            **common, kubeconfig=kubeconfig, kube_context=context, service_account=auth.service_account
        )
    if auth.mode == "oidcToken":
        return KfpConnection(**common, token=secret)
    if auth.mode == "dexPassword":
        return KfpConnection(**common, username=auth.username, password=secret)
    return KfpConnection(**common)


def auth_secret(config: PipelinesConfig) -> SecretRef | None:
    """The secret the auth mode needs from config (token or password), if any."""
    auth = config.kfp.auth
    return auth.token if auth.mode == "oidcToken" else auth.password if auth.mode == "dexPassword" else None


def pipeline_source(name: str, target: PipelineTarget) -> PipelineSource:
    """Pipeline `name` compiled for `target`, with its version named by the IR and the step code."""
    from modules.kfp.objects import PipelineSource
    from modules.kfp.versioning import files_digest, version_name
    from pipelines.catalog import compile_pipeline, get_pipeline

    spec = compile_pipeline(name, target)
    version = version_name(name, spec, files_digest(STEPS_DIR))
    return PipelineSource(name, get_pipeline(name).description, spec, version)


def build_kfp_resources(
    stack: StackContext,
    cluster: Cluster,
    namespaces: Mapping[str, pulumi.Resource],
    placements: Mapping[str, PoolPlacement],
    claims: Mapping[str, VolumeSpec],
) -> dict[str, str]:
    """Pipeline name -> its current version name; empty when nothing is registered.

    `namespaces`: namespace -> what makes it usable (its Namespace, or for a profile its TeamProfile,
    which includes the automation account).
    """
    config = stack.config.pipelines
    if not config.manages_kfp_objects():
        return {}
    from modules.kfp.objects import ExperimentSpec, KfpObjects, KfpObjectsArgs, ScheduleSpec
    from modules.kfp_access import KfpAccess, KfpAccessArgs

    waits: list[pulumi.Resource] = []
    if config.namespace in namespaces:
        waits.append(namespaces[config.namespace])
    # in a profile namespace the TeamProfile (in `namespaces`) holds the account and its binding
    profile = config.namespace in stack.config.profile_namespaces()
    if config.kfp.auth.mode == "serviceAccountToken" and not profile:
        access = KfpAccess(
            "kfp-access",
            KfpAccessArgs(config.kfp.auth.service_account, config.namespace),
            opts=pulumi.ResourceOptions.merge(cluster.options(), pulumi.ResourceOptions(depends_on=waits)),
        )
        waits.append(access)
    target = pipeline_target(stack.config, placements, claims)
    secret = auth_secret(config)
    objects = KfpObjects(
        "kfp",
        KfpObjectsArgs(
            connection=kfp_connection(
                config, cluster.kubeconfig, cluster.context, secret.as_output() if secret else None
            ),
            pipelines=tuple(pipeline_source(name, target) for name in config.registered),
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
