"""MLflow's Helm values and manifests as pure functions: no password in values, every image set, the
store and artifact modes, the gateway route and the allowed hosts."""

from __future__ import annotations

import json

from modules.images import ImageMirror
from modules.mlflow import (
    DATA_CLAIM,
    DATABASE_SECRET,
    PostgresBackend,
    S3Artifacts,
    SqliteBackend,
    cors_allowed_origins,
    data_claim_spec,
    mlflow_route,
    mlflow_values,
    server_allowed_hosts,
)

MIRROR = ImageMirror("registry.example.com/mirror")
SERVER = MIRROR.image("docker.io/burakince/mlflow:3.15.1")
BUSYBOX = MIRROR.image("docker.io/library/busybox:1.38.0")
POSTGRES = PostgresBackend("db.example.internal", 5432, "mlflow", "mlflow", "KNOWN-DB-PASSWORD")


def test_postgres_values_name_the_secret_and_carry_no_password() -> None:
    values = mlflow_values(SERVER, BUSYBOX, POSTGRES, S3Artifacts("bucket", "us-east-1"), 2, "ml.example.com")
    assert "KNOWN-DB-PASSWORD" not in json.dumps(values)
    store = values["backendStore"]
    assert store["postgres"] == {
        "enabled": True,
        "host": "db.example.internal",
        "port": 5432,
        "database": "mlflow",
    }
    assert store["existingDatabaseSecret"]["name"] == DATABASE_SECRET
    assert store["databaseConnectionCheck"] and store["databaseMigration"]
    assert values["postgresql"] == {"enabled": False}  # the subchart is not packaged
    assert values["extraEnvVars"] == {
        "PGSSLMODE": "require",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_REGION": "us-east-1",
    }


def test_every_image_of_the_chart_is_set_through_the_mirror() -> None:
    values = mlflow_values(SERVER, BUSYBOX, POSTGRES, None, 1, None)
    images = [values["image"], *values["initImages"].values()]
    assert {i["repository"] for i in images} == {
        "registry.example.com/mirror/docker.io/burakince/mlflow",
        "registry.example.com/mirror/docker.io/library/busybox",
    }
    assert {i["tag"] for i in images} == {"3.15.1", "1.38.0"}


def test_s3_artifacts_turn_proxying_off_and_use_the_model_prefix() -> None:
    values = mlflow_values(SERVER, BUSYBOX, POSTGRES, S3Artifacts("bucket", "us-west-2"), 2, None)
    assert values["artifactRoot"] == {
        "proxiedArtifactStorage": False,
        "s3": {"enabled": True, "bucket": "bucket", "path": "mlflow"},
    }
    assert values["extraFlags"] == ["noServeArtifacts"]


def test_sqlite_keeps_the_database_and_proxied_artifacts_on_the_claim() -> None:
    backend = SqliteBackend("standard", "5Gi")
    values = mlflow_values(SERVER, BUSYBOX, backend, None, 1, None)
    assert values["backendStore"] == {"defaultSqlitePath": "/mlflow/mlflow.db"}
    assert values["artifactRoot"] == {
        "proxiedArtifactStorage": True,
        "defaultArtifactsDestination": "/mlflow/artifacts",
    }
    assert values["extraVolumes"] == [{"name": "data", "persistentVolumeClaim": {"claimName": DATA_CLAIM}}]
    assert values["strategy"] == {"type": "Recreate"} and values["replicaCount"] == 1
    assert "extraFlags" not in values
    assert data_claim_spec(backend) == {
        "accessModes": ["ReadWriteOnce"],
        "storageClassName": "standard",
        "resources": {"requests": {"storage": "5Gi"}},
    }


def test_allowed_hosts_spell_out_localhost_and_add_the_gateway_hostname() -> None:
    local = server_allowed_hosts(None)
    assert {"mlflow.mlflow.svc.cluster.local:5000", "mlflow.mlflow:5000", "localhost:*"} <= set(local)
    assert server_allowed_hosts("ml.example.com") == [*local[:-4], "ml.example.com", *local[-4:]]
    assert cors_allowed_origins(None) == [] and cors_allowed_origins("ml.example.com") == [
        "https://ml.example.com"
    ]


def test_the_route_redirects_the_bare_prefix_and_strips_it() -> None:
    redirect, forward = mlflow_route()["http"]
    assert redirect["redirect"] == {"uri": "/mlflow/"}
    assert forward["rewrite"] == {"uri": "/"} and forward["match"] == [{"uri": {"prefix": "/mlflow/"}}]
