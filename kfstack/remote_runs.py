"""One-off runs of a registered pipeline in an environment's Kubeflow Pipelines, for
`kfstack pipelines run NAME --env ENV`.

It resolves exactly what `pulumi up` registered: the pipeline compiled for the environment, its
content-hash version name, and the connection and auth the KFP resources use, then submits a run
of that version with the same client code.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from stacks.config.environment import EnvironmentConfig

if TYPE_CHECKING:
    from modules.kfp.connection import KfpConnection

# Secrets stay Pulumi secrets in the stack file; only the engine decrypts them.
SECRET_ENV = {"oidcToken": "KFSTACK_KFP_TOKEN", "dexPassword": "KFSTACK_KFP_PASSWORD"}

EksDescribe = Callable[[str, str], Mapping[str, Any]]
"""(cluster name, region) -> the `cluster` of EKS DescribeCluster."""


class RemoteRunError(Exception):
    """The run cannot be prepared from this input (exit 2)."""


class ClusterUnreachable(Exception):
    """The environment's cluster could not be looked up (exit 1)."""


@dataclass(frozen=True)
class RemoteRun:
    """A run to submit: which version of which pipeline, where, with which parameters."""

    environment: str
    pipeline: str
    version: str
    experiment: str
    parameters: dict[str, Any]
    connection: KfpConnection


def boto3_describe_cluster(name: str, region: str) -> Mapping[str, Any]:
    """EKS DescribeCluster through boto3 (credentials from the usual AWS environment)."""
    import boto3

    response = boto3.client("eks", region_name=region).describe_cluster(name=name)
    cluster: Mapping[str, Any] = response["cluster"]
    return cluster


def cluster_access(
    environment: str, config: EnvironmentConfig, describe: EksDescribe = boto3_describe_cluster
) -> tuple[str, str | None]:
    """(kubeconfig path or content, context) for the environment's cluster, as the stack uses it."""
    if config.cluster.existing is not None:
        return os.path.expanduser(config.cluster.existing.kubeconfig), config.cluster.existing.context
    from modules.kubeconfig import eks_kubeconfig
    from stacks.context import StackContext

    eks = config.cluster.eks
    assert eks is not None
    name = StackContext(environment, config).cluster_name
    try:
        cluster = describe(name, eks.region)
    except Exception as error:  # botocore: no credentials, access denied, no such cluster, ...
        raise ClusterUnreachable(f"cannot describe EKS cluster {name} in {eks.region}: {error}") from error
    ca_data = cluster["certificateAuthority"]["data"]
    return eks_kubeconfig(name, cluster["endpoint"], ca_data, eks.region), None


def prepare_remote_run(
    environment: str,
    config: EnvironmentConfig,
    pipeline: str,
    overrides: Mapping[str, str],
    experiment: str | None = None,
    env: Mapping[str, str] = os.environ,
    describe: EksDescribe = boto3_describe_cluster,
) -> RemoteRun:
    """Everything needed to run the registered version of `pipeline` in `environment`."""
    from pipelines.catalog import get_pipeline
    from pipelines.params import ParameterError, resolve_parameters
    from stacks.components.kfp_resources import kfp_connection, pipeline_source
    from stacks.pipeline_target import environment_target

    pipelines = config.pipelines
    if pipeline not in pipelines.registered:
        registered = ", ".join(pipelines.registered) or "none"
        raise RemoteRunError(
            f"pipeline {pipeline!r} is not registered in {environment} (pipelines.registered: {registered})"
        )
    if experiment is None:
        if not pipelines.experiments:
            raise RemoteRunError(f"{environment} defines no experiment (pipelines.experiments)")
        experiment = next(iter(pipelines.experiments))
    elif experiment not in pipelines.experiments:
        known = ", ".join(pipelines.experiments) or "none"
        raise RemoteRunError(f"unknown experiment {experiment!r} in {environment}; defined: {known}")
    defaults = get_pipeline(pipeline).default_parameters
    try:
        values = resolve_parameters(defaults, dict(overrides))
    except ParameterError as error:
        raise RemoteRunError(str(error)) from None
    secret = None
    variable = SECRET_ENV.get(pipelines.kfp.auth.mode)
    if variable is not None:
        secret = env.get(variable)
        if not secret:
            raise RemoteRunError(
                f"auth mode {pipelines.kfp.auth.mode} needs its secret, which the stack file keeps encrypted "
                f"for the Pulumi engine: set {variable}"
            )
    kubeconfig, context = (
        cluster_access(environment, config, describe)
        if pipelines.kfp.auth.mode == "serviceAccountToken"
        else (None, None)
    )
    return RemoteRun(
        environment=environment,
        pipeline=pipeline,
        version=pipeline_source(pipeline, environment_target(config)).version,
        experiment=experiment,
        parameters={key: values[key] for key in overrides},
        connection=kfp_connection(pipelines, kubeconfig, context, secret),
    )
