"""MLflow, the tracking server and model registry, behind the Kubeflow gateway's login at `/mlflow/`.

On EKS its backend store is an RDS PostgreSQL instance the stack creates (private subnets, reachable
only from the cluster's security group, encrypted, backed up; deletion protection and a final snapshot
where the environment protects stateful resources) and its artifacts go to the artifact bucket under
`s3://<bucket>/mlflow/`, through a Pod Identity role. On an existing cluster (local) it keeps a sqlite
database and the artifacts it proxies on one volume.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pulumi

from modules.vocabulary import MLFLOW_NAMESPACE, MLFLOW_SERVICE, MLFLOW_TRACKING_URI
from stacks.component_spec import ChartSource, ComponentSpec
from stacks.components.artifact_bucket import ArtifactBucketRefs
from stacks.components.cluster import Cluster
from stacks.components.istio import Mesh
from stacks.config.environment import EnvironmentConfig
from stacks.context import StackContext
from stacks.mock_values import aws_arn, mock_region, named, stable_hex

if TYPE_CHECKING:
    from modules.mlflow import PostgresBackend

IMAGE = "docker.io/burakince/mlflow"
"""The chart's MLflow image (MLflow with the PostgreSQL, MySQL and cloud storage clients); tag = the pin."""
DATABASE = "mlflow"
DATABASE_USER = "mlflow"
PASSWORD_LENGTH = 32


def _rds_instance_outputs(name: str, inputs: dict[str, Any]) -> dict[str, Any]:
    identifier = named(inputs, "identifier", name)
    address = f"{identifier}.c{stable_hex(name, 12)}.{mock_region()}.rds.amazonaws.com"
    port = int(inputs.get("port") or 5432)
    return {
        "id": f"db-{stable_hex(name, 26).upper()}",
        "identifier": identifier,
        "address": address,
        "endpoint": f"{address}:{port}",
        "port": port,
        "arn": aws_arn("rds", f"db:{identifier}"),
    }


SPEC = ComponentSpec(
    name="mlflow",
    summary="MLflow tracking server + registry at /mlflow/ (RDS PostgreSQL + S3 on EKS, sqlite locally)",
    key="mlflow",
    charts=(ChartSource("mlflow", pinned_by="mlflow"),),
    mock_outputs={
        "aws:rds/instance:Instance": _rds_instance_outputs,
        "aws:rds/subnetGroup:SubnetGroup": lambda name, inputs: {
            "id": named(inputs, "name", name),
            "name": named(inputs, "name", name),
            "arn": aws_arn("rds", f"subgrp:{named(inputs, 'name', name)}"),
        },
    },
    replace_on={
        "aws:rds/instance:Instance": ("identifier", "engine", "dbName", "username", "storageEncrypted"),
        "aws:rds/subnetGroup:SubnetGroup": ("name",),
    },
)


def mlflow_tracking_uri(config: EnvironmentConfig) -> str:
    """Where pipeline pods reach MLflow: the stack's server (pipelines compile it as their default)."""
    del config  # one address in every environment; the parameter keeps callers environment-aware
    return MLFLOW_TRACKING_URI


def build_mlflow(
    stack: StackContext, cluster: Cluster, mesh: Mesh | None, bucket: ArtifactBucketRefs | None
) -> pulumi.Resource | None:
    """The database (EKS), the artifact role (EKS), then MLflow; returns the release (None when off)."""
    config = stack.config
    settings = config.components.mlflow
    if not settings.enabled:
        return None
    assert mesh is not None  # the config requires Istio and oauth2-proxy
    from modules.mlflow import BUSYBOX, Mlflow, MlflowArgs, S3Artifacts, SqliteBackend
    from stacks.components.storage import planned_storage

    ready: list[pulumi.Resource] = [mesh.base, mesh.gateway_release]
    backend: PostgresBackend | SqliteBackend
    if settings.database_kind(config.cluster.kind) == "rds":
        backend = _rds_backend(stack, cluster)
    else:
        database = settings.database
        backend = SqliteBackend(planned_storage(config).rwo_class, database.volume_size)
    artifacts = None
    if cluster.eks is not None and bucket is not None:
        from modules.artifact_access import ArtifactAccess, ArtifactAccessArgs, ServiceAccountRef

        access = ArtifactAccess(
            "mlflow-artifacts",
            ArtifactAccessArgs(
                cluster_name=cluster.eks.name,
                bucket_arn=bucket.arn,
                service_accounts=(ServiceAccountRef(MLFLOW_NAMESPACE, MLFLOW_SERVICE),),
            ),
            opts=cluster.eks.aws.options(),
        )
        ready += access.associations
        artifacts = S3Artifacts(bucket.name, bucket.region)
    mirror = config.images.mirror()
    pin = config.components.pin("mlflow")
    (chart,) = SPEC.charts
    release = Mlflow(
        "mlflow",
        MlflowArgs(
            chart=chart.pinned(config.components),
            server_image=mirror.image(f"{IMAGE}:{pin.image_tag or pin.app_version}"),
            busybox_image=mirror.image(BUSYBOX),
            backend=backend,
            artifacts=artifacts,
            replicas=settings.replica_count(config.cluster.kind),
            gateway_hostname=config.gateway.hostname,
        ),
        opts=pulumi.ResourceOptions.merge(cluster.options(), pulumi.ResourceOptions(depends_on=ready)),
        data_opts=stack.stateful(),
    ).release
    pulumi.export("mlflowTrackingUri", mlflow_tracking_uri(config))
    pulumi.export("mlflowUrl", f"{mesh.dashboard_url}mlflow/")
    return release


def _rds_backend(stack: StackContext, cluster: Cluster) -> PostgresBackend:
    """The stack's PostgreSQL instance on the private subnets, open to the cluster's security group."""
    from modules.credentials import random_secret
    from modules.mlflow import PostgresBackend
    from modules.rds import PostgresDatabase, PostgresDatabaseArgs

    eks = cluster.eks
    assert eks is not None  # the config allows rds only on EKS
    database = stack.config.components.mlflow.database
    keep = stack.config.protect_stateful_resources
    password = random_secret("mlflow-database-password", PASSWORD_LENGTH, eks.aws.options())
    postgres = PostgresDatabase(
        "mlflow-database",
        PostgresDatabaseArgs(
            identifier=f"{stack.cluster_name}-mlflow",
            vpc_id=eks.network.vpc_id,
            subnet_ids=eks.network.private_subnet_ids,
            # managed node groups and Karpenter nodes carry the cluster security group, and pods
            # (VPC CNI without security groups for pods) use their node's
            client_security_group_ids=[eks.security_group_id],
            database=DATABASE,
            username=DATABASE_USER,
            password=pulumi.Output.secret(password.result),
            instance_class=database.instance_class,
            allocated_storage_gib=database.allocated_storage,
            max_allocated_storage_gib=database.max_allocated_storage,
            engine_version=database.engine_version,
            multi_az=database.multi_az if database.multi_az is not None else stack.config.tier == "prod",
            backup_retention_days=database.backup_retention_days,
            keep=keep,
        ),
        opts=stack.stateful(eks.aws.options()),
    )
    return PostgresBackend(postgres.address, postgres.port, DATABASE, DATABASE_USER, password.result)
