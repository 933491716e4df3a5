"""The MLflow tracking server and model registry (community-charts `mlflow` chart): its namespace, the
backend store (PostgreSQL credentials as a Secret the chart reads, or sqlite on a volume), the Helm
release, the `/mlflow/` route on the Kubeflow gateway and the network policies.

MLflow runs without its own authentication here. People reach it through the Kubeflow gateway, whose
login (oauth2-proxy + Dex) guards every route; pods reach it in-cluster, and a NetworkPolicy admits
only the ingress gateway and the profile namespaces' pods (pipelines).

Artifacts: with an S3 artifact root the server runs with `--default-artifact-root s3://<bucket>/mlflow`
and `--no-serve-artifacts`, so a registered model version's source is an `s3://` URI that KServe loads,
and clients (pipeline pods) write artifacts to S3 directly with their own role. Without one (local), the
server proxies artifacts to its volume (`--serve-artifacts`), so clients upload over HTTP.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, cast

import pulumi
import pulumi_kubernetes as k8s

from modules.helm import HelmChart, helm_release
from modules.images import ImageRef
from modules.kubeflow_gateway import gateway_ingress_policy, gateway_route
from modules.namespaces import RESTRICTED
from modules.options import child_options
from modules.vocabulary import MLFLOW_NAMESPACE, MLFLOW_PORT, MLFLOW_SERVICE, MODEL_ARTIFACT_PREFIX

MLFLOW_HOST = f"{MLFLOW_SERVICE}.{MLFLOW_NAMESPACE}.svc.cluster.local"
ROUTE_PREFIX = "/mlflow/"
"""Where the UI and API are on the Kubeflow gateway (rewritten to `/` for the server)."""
DATABASE_SECRET = "mlflow-database"
"""The Secret with `username` and `password` of the PostgreSQL user (backendStore.existingDatabaseSecret)."""
DATA_CLAIM = "mlflow-data"
"""The claim holding the sqlite database and the proxied artifacts (sqlite store only)."""
DATA_MOUNT = "/mlflow"
SQLITE_PATH = f"{DATA_MOUNT}/mlflow.db"
LOCAL_ARTIFACTS = f"{DATA_MOUNT}/artifacts"
POD_LABELS = {"app.kubernetes.io/name": "mlflow", "app.kubernetes.io/instance": MLFLOW_SERVICE}
"""Labels the chart puts on the server's pods (its selector labels for release `mlflow`)."""
PROFILE_NAMESPACE_LABEL = {"app.kubernetes.io/part-of": "kubeflow-profile"}
"""The label of Kubeflow profile namespaces (and of a non-profile pipelines namespace): pipeline pods."""
BUSYBOX = "docker.io/library/busybox:1.38.0"
"""The chart's wait-for-database (and unused ini-file) init image, at the chart's own tag."""


@dataclass(frozen=True)
class PostgresBackend:
    """A PostgreSQL database: where it is, and the user MLflow connects as (the password is a secret)."""

    host: pulumi.Input[str]
    port: pulumi.Input[int]
    database: str
    username: str
    password: pulumi.Input[str]


@dataclass(frozen=True)
class SqliteBackend:
    """A sqlite file on a ReadWriteOnce claim of `storage_class` (one replica)."""

    storage_class: str
    size: str


@dataclass(frozen=True)
class S3Artifacts:
    """The bucket (its `MODEL_ARTIFACT_PREFIX` prefix) artifacts go to, and its region."""

    bucket: pulumi.Input[str]
    region: str


def server_allowed_hosts(gateway_hostname: str | None) -> list[str]:
    """Host headers MLflow's DNS-rebinding check accepts: the in-cluster names and the gateway's.

    Setting the list replaces MLflow's default (localhost and private IPs): the names are all spelled
    out, localhost included for a port-forward of the gateway or the Service.
    """
    names = [MLFLOW_HOST, f"{MLFLOW_SERVICE}.{MLFLOW_NAMESPACE}.svc", f"{MLFLOW_SERVICE}.{MLFLOW_NAMESPACE}"]
    hosts = [host for name in names for host in (name, f"{name}:{MLFLOW_PORT}")]
    hosts += [gateway_hostname] if gateway_hostname else []
    return [*hosts, "localhost", "localhost:*", "127.0.0.1", "127.0.0.1:*"]


def cors_allowed_origins(gateway_hostname: str | None) -> list[str]:
    """Origins whose state-changing requests (the UI's POSTs) MLflow accepts; localhost always is."""
    return [f"https://{gateway_hostname}"] if gateway_hostname else []


def backend_values(backend: PostgresBackend | SqliteBackend) -> dict[str, Any]:
    """The chart's backendStore (and volume) values; a password never appears in them."""
    if isinstance(backend, PostgresBackend):
        return {
            "backendStore": {
                # wait for the database (busybox `nc`), then create or upgrade MLflow's schema
                "databaseConnectionCheck": True,
                "databaseMigration": True,
                "postgres": {
                    "enabled": True,
                    "host": backend.host,
                    "port": backend.port,
                    "database": backend.database,
                },
                "existingDatabaseSecret": {
                    "name": DATABASE_SECRET,
                    "usernameKey": "username",
                    "passwordKey": "password",
                },
            },
            # libpq reads PGHOST/PGUSER/PGPASSWORD...; RDS PostgreSQL >= 15 forces TLS anyway
            "extraEnvVars": {"PGSSLMODE": "require"},
        }
    return {
        "backendStore": {"defaultSqlitePath": SQLITE_PATH},
        "extraVolumes": [{"name": "data", "persistentVolumeClaim": {"claimName": DATA_CLAIM}}],
        "extraVolumeMounts": [{"name": "data", "mountPath": DATA_MOUNT}],
        # one writer on a ReadWriteOnce volume: stop the old pod before the new one starts
        "strategy": {"type": "Recreate"},
    }


def artifact_values(artifacts: S3Artifacts | None) -> dict[str, Any]:
    """Artifact root values: S3 without proxying (sources are `s3://` URIs), else proxied to the volume."""
    if artifacts is not None:
        return {
            "artifactRoot": {
                "proxiedArtifactStorage": False,
                "s3": {"enabled": True, "bucket": artifacts.bucket, "path": MODEL_ARTIFACT_PREFIX},
            },
            "extraEnvVars": {"AWS_DEFAULT_REGION": artifacts.region, "AWS_REGION": artifacts.region},
            # MLflow 3 serves artifacts unless told not to
            "extraFlags": ["noServeArtifacts"],
        }
    return {
        "artifactRoot": {"proxiedArtifactStorage": True, "defaultArtifactsDestination": LOCAL_ARTIFACTS},
    }


def _image(ref: ImageRef) -> dict[str, str]:
    return {"repository": f"{ref.registry}/{ref.repository}", "tag": ref.version}


def mlflow_values(
    server: ImageRef,
    busybox: ImageRef,
    backend: PostgresBackend | SqliteBackend,
    artifacts: S3Artifacts | None,
    replicas: int,
    gateway_hostname: str | None,
) -> dict[str, Any]:
    """Helm values of the mlflow chart: every image set (mirror-ready), the store, the artifact root."""
    backend_part = backend_values(backend)
    artifact_part = artifact_values(artifacts)
    env = {**backend_part.pop("extraEnvVars", {}), **artifact_part.pop("extraEnvVars", {})}
    return {
        "fullnameOverride": MLFLOW_SERVICE,
        "replicaCount": replicas,
        "image": _image(server),
        "initImages": {
            "dbchecker": _image(busybox),
            "mlflowDbMigration": _image(server),
            "iniFileInitializer": _image(busybox),
        },
        "serviceAccount": {"create": True, "name": MLFLOW_SERVICE},
        "service": {"port": MLFLOW_PORT},
        "podSecurityContext": {
            "fsGroup": 1001,
            "fsGroupChangePolicy": "OnRootMismatch",
            "seccompProfile": {"type": "RuntimeDefault"},
        },
        "serverAllowedHosts": server_allowed_hosts(gateway_hostname),
        "corsAllowedOrigins": cors_allowed_origins(gateway_hostname),
        "resources": {"requests": {"cpu": "100m", "memory": "512Mi"}, "limits": {"memory": "2Gi"}},
        **backend_part,
        **artifact_part,
        "extraEnvVars": env,
        # the chart's own postgresql subchart is not packaged (see the charts README)
        "postgresql": {"enabled": False},
        "mysql": {"enabled": False},
        "minio": {"enabled": False},
    }


def mlflow_route() -> dict[str, Any]:
    """VirtualService spec: `/mlflow` redirected to `/mlflow/`, and `/mlflow/...` to the server at `/...`.

    Not `--static-prefix`: it moves the REST API and `/health` under the prefix as well, so in-cluster
    clients and the chart's probes would need it too. The UI loads its assets and calls the API with
    relative URLs, which resolve under `/mlflow/` when the page is served there.
    """
    spec = gateway_route(ROUTE_PREFIX, MLFLOW_HOST, MLFLOW_PORT)
    (route,) = spec["http"]
    route["rewrite"] = {"uri": "/"}
    spec["http"] = [
        {"match": [{"uri": {"exact": ROUTE_PREFIX.rstrip("/")}}], "redirect": {"uri": ROUTE_PREFIX}},
        route,
    ]
    return spec


def ingress_policy() -> dict[str, Any]:
    """NetworkPolicy spec: the server admits the ingress gateway and the pods of profile namespaces."""
    profiles = {"namespaceSelector": {"matchLabels": dict(PROFILE_NAMESPACE_LABEL)}}
    return gateway_ingress_policy(POD_LABELS, MLFLOW_PORT, also_from=[profiles])


def data_claim_spec(backend: SqliteBackend) -> dict[str, Any]:
    """The sqlite store's claim: ReadWriteOnce on the cluster's class."""
    return {
        "accessModes": ["ReadWriteOnce"],
        "storageClassName": backend.storage_class,
        "resources": {"requests": {"storage": backend.size}},
    }


@dataclass(frozen=True)
class MlflowArgs:
    """Chart, images, store, artifacts, replicas and the gateway hostname (None: local port-forward)."""

    chart: HelmChart
    server_image: ImageRef
    busybox_image: ImageRef
    backend: PostgresBackend | SqliteBackend
    artifacts: S3Artifacts | None
    replicas: int
    gateway_hostname: str | None


class Mlflow(pulumi.ComponentResource):
    """MLflow in its namespace. Pass in `opts.depends_on` what installs the Istio CRDs and what the
    server needs at start (the database, its artifact credentials)."""

    namespace: k8s.core.v1.Namespace
    release: k8s.helm.v3.Release

    def __init__(
        self,
        name: str,
        args: MlflowArgs,
        opts: pulumi.ResourceOptions | None = None,
        data_opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        """`data_opts` are merged into the options of the sqlite claim (protect/retain it)."""
        super().__init__("kfstack:mlflow:Mlflow", name, None, opts)
        child = child_options(self, opts)
        self.namespace = k8s.core.v1.Namespace(
            f"ns-{MLFLOW_NAMESPACE}",
            metadata=k8s.meta.v1.ObjectMetaArgs(name=MLFLOW_NAMESPACE, labels=RESTRICTED),
            opts=child,
        )
        in_namespace = pulumi.ResourceOptions.merge(
            child, pulumi.ResourceOptions(depends_on=[self.namespace])
        )
        ready: list[pulumi.Resource] = []
        if isinstance(args.backend, PostgresBackend):
            ready.append(
                k8s.core.v1.Secret(
                    f"{name}-database",
                    metadata=k8s.meta.v1.ObjectMetaArgs(name=DATABASE_SECRET, namespace=MLFLOW_NAMESPACE),
                    type="Opaque",
                    string_data={
                        "username": args.backend.username,
                        "password": pulumi.Output.secret(args.backend.password),
                    },
                    opts=in_namespace,
                )
            )
        else:
            ready.append(
                k8s.core.v1.PersistentVolumeClaim(
                    f"{name}-data",
                    metadata=k8s.meta.v1.ObjectMetaArgs(
                        name=DATA_CLAIM,
                        namespace=MLFLOW_NAMESPACE,
                        # a WaitForFirstConsumer class (kind's, EBS) binds only once the server's pod
                        # exists, and the release waits for the claim: do not wait for Bound
                        annotations={"pulumi.com/skipAwait": "true"},
                    ),
                    spec=cast(Any, data_claim_spec(args.backend)),
                    opts=pulumi.ResourceOptions.merge(in_namespace, data_opts),
                )
            )
        values = mlflow_values(
            args.server_image,
            args.busybox_image,
            args.backend,
            args.artifacts,
            args.replicas,
            args.gateway_hostname,
        )
        self.release = helm_release(
            name,
            args.chart,
            MLFLOW_NAMESPACE,
            values,
            pulumi.ResourceOptions.merge(in_namespace, pulumi.ResourceOptions(depends_on=ready)),
            release_name=MLFLOW_SERVICE,
        )
        k8s.apiextensions.CustomResource(
            f"{name}-route",
            api_version="networking.istio.io/v1",
            kind="VirtualService",
            metadata=k8s.meta.v1.ObjectMetaArgs(name=MLFLOW_SERVICE, namespace=MLFLOW_NAMESPACE),
            spec=mlflow_route(),
            opts=in_namespace,
        )
        k8s.networking.v1.NetworkPolicy(
            f"{name}-ingress",
            metadata=k8s.meta.v1.ObjectMetaArgs(name="mlflow-ingress", namespace=MLFLOW_NAMESPACE),
            spec=cast(Any, ingress_policy()),
            opts=in_namespace,
        )
        self.register_outputs({})
