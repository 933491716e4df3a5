"""The MLflow builder: on EKS an RDS PostgreSQL store (private, encrypted, reachable only from the
cluster, kept in prod) and S3 artifacts through a Pod Identity role; on local sqlite and proxied
artifacts on one volume; `/mlflow/` on the gateway behind the login; no database password anywhere
but the Kubernetes Secret; the chart renders what the values and policies assume."""

from __future__ import annotations

import inspect
import json
from pathlib import Path
from typing import Any

import pulumi_aws as aws
import pytest
import yaml
from pydantic.alias_generators import to_camel

from kfstack.plan.helm_template import RELEASE_TYPE, rendered_release
from modules.artifact_access import bucket_access_policy
from modules.kubeflow_gateway import GATEWAY_REF
from modules.mlflow import DATABASE_SECRET, POD_LABELS, PROFILE_NAMESPACE_LABEL
from modules.vocabulary import MLFLOW_NAMESPACE, MLFLOW_PORT, MLFLOW_TRACKING_URI, MODEL_ARTIFACT_PREFIX
from pipelines.placement import DEFAULT_REGISTRY_URI
from stacks.components.artifact_bucket import SPEC as BUCKET_SPEC
from stacks.components.dex import _random_password_outputs
from stacks.components.mlflow import PASSWORD_LENGTH
from stacks.mock_values import stable_hex as _hex
from stacks.pipeline_target import environment_target
from tests.conftest import REPO_ROOT

CHARTS = REPO_ROOT.parent / "shared" / "charts"
EKS_ENVIRONMENTS = ("dev", "staging", "prod")
INSTANCE = "aws:rds/instance:Instance"
SUBNET_GROUP = "aws:rds/subnetGroup:SubnetGroup"
SECURITY_GROUP = "aws:ec2/securityGroup:SecurityGroup"
SECRET = "kubernetes:core/v1:Secret"
POLICY = "kubernetes:networking.k8s.io/v1:NetworkPolicy"
ROUTE = "kubernetes:networking.istio.io/v1:VirtualService"
PVC = "kubernetes:core/v1:PersistentVolumeClaim"
GENERATED_PASSWORD = _random_password_outputs("mlflow-database-password", {"length": PASSWORD_LENGTH})[
    "result"
]
"""The master password the mock runtime generates (the provider's random value in a real run)."""


def _rendered(plan: Any, helm: Path) -> list[dict[str, Any]]:
    (release,) = plan.find(RELEASE_TYPE, "mlflow")
    rendered = rendered_release(release, CHARTS, plan.config.cluster.kubernetes_version, helm)
    return [o.manifest for o in rendered.objects]


def _one(objects: list[dict[str, Any]], kind: str) -> dict[str, Any]:
    (found,) = [o for o in objects if o["kind"] == kind]
    return found


@pytest.mark.parametrize("environment", EKS_ENVIRONMENTS)
def test_the_database_is_private_encrypted_and_reached_only_from_the_cluster(plan, environment) -> None:
    result = plan(environment)
    (instance,) = result.find(INSTANCE)
    (subnets,) = result.find(SUBNET_GROUP)
    (group,) = [g for g in result.find(SECURITY_GROUP) if g.name == "mlflow-database-postgres"]
    private = [s for s in result.find("aws:ec2/subnet:Subnet") if "-private-" in s.name]
    assert private
    private_ids = sorted(f"subnet-{_hex(s.name)}" for s in private)
    assert sorted(subnets.inputs["subnetIds"]) == private_ids
    assert instance.inputs["dbSubnetGroupName"].startswith("mlflow-database-subnets")
    assert (instance.inputs["storageEncrypted"], instance.inputs["publiclyAccessible"]) == (True, False)
    assert instance.inputs["vpcSecurityGroupIds"] == [f"sg-{_hex(group.name)}"]
    assert instance.inputs["backupRetentionPeriod"] == 7
    assert (instance.inputs["engine"], instance.inputs["engineVersion"]) == ("postgres", "17")
    (cluster,) = result.find("aws:eks/cluster:Cluster")
    cluster_group = f"sg-{_hex(cluster.name + '/cluster')}"
    assert group.inputs["ingress"] == [
        {
            "description": "PostgreSQL from the cluster's nodes and pods",
            "fromPort": 5432,
            "toPort": 5432,
            "protocol": "tcp",
            "securityGroups": [cluster_group],
        }
    ]
    assert group.inputs["egress"] == []
    (vpc,) = result.find("aws:ec2/vpc:Vpc")
    assert group.inputs["vpcId"] == f"vpc-{_hex(vpc.name)}"


def test_prod_keeps_the_database_with_deletion_protection_and_a_final_snapshot(plan) -> None:
    prod = plan("prod")
    (instance,) = prod.find(INSTANCE)
    assert instance.protect and instance.retain_on_delete
    assert instance.inputs["deletionProtection"] is True
    assert instance.inputs["skipFinalSnapshot"] is False
    assert instance.inputs["finalSnapshotIdentifier"] == "kfstack-prod-mlflow-final"
    assert instance.inputs["multiAz"] is True
    for other in (*prod.find(SUBNET_GROUP), *[g for g in prod.find(SECURITY_GROUP) if "mlflow" in g.name]):
        assert other.protect, other.name


def test_dev_can_delete_its_database_without_a_snapshot(plan) -> None:
    (instance,) = plan("dev").find(INSTANCE)
    assert not instance.protect and not instance.retain_on_delete
    assert instance.inputs["deletionProtection"] is False
    assert instance.inputs["skipFinalSnapshot"] is True
    assert "finalSnapshotIdentifier" not in instance.inputs
    assert instance.inputs["multiAz"] is False


def test_database_settings_reach_the_instance(plan_of) -> None:
    def sized(values: dict) -> None:
        values["components"]["mlflow"] = {
            "database": {
                "instanceClass": "db.r6g.large",
                "allocatedStorage": 50,
                "maxAllocatedStorage": None,
                "engineVersion": "16.4",
                "multiAz": True,
                "backupRetentionDays": 14,
            }
        }

    (instance,) = plan_of("dev", sized).find(INSTANCE)
    assert {k: instance.inputs.get(k) for k in ("instanceClass", "allocatedStorage", "engineVersion")} == {
        "instanceClass": "db.r6g.large",
        "allocatedStorage": 50,
        "engineVersion": "16.4",
    }
    assert "maxAllocatedStorage" not in instance.inputs
    assert (instance.inputs["multiAz"], instance.inputs["backupRetentionPeriod"]) == (True, 14)


_SDK_CLASSES = {
    INSTANCE: aws.rds.Instance,
    SUBNET_GROUP: aws.rds.SubnetGroup,
    SECURITY_GROUP: aws.ec2.SecurityGroup,
}


@pytest.mark.parametrize("type_", sorted(_SDK_CLASSES))
def test_database_inputs_are_properties_of_the_installed_aws_sdk(plan, type_) -> None:
    parameters = inspect.signature(_SDK_CLASSES[type_]._internal_init).parameters
    known = {to_camel(name) for name in parameters if name not in ("self", "resource_name", "opts")}
    resources = [r for r in plan("prod").find(type_) if r.name.startswith("mlflow")]
    assert resources
    for resource in resources:
        assert set(resource.inputs) <= known, (resource.name, set(resource.inputs) - known)


@pytest.mark.parametrize("environment", EKS_ENVIRONMENTS)
def test_the_database_password_is_only_in_secrets(plan, environment) -> None:
    result = plan(environment)
    assert GENERATED_PASSWORD not in result.json_text()
    (instance,) = result.find(INSTANCE)
    assert "password" in instance.secret_paths
    (secret,) = [s for s in result.find(SECRET) if s.inputs["metadata"]["name"] == DATABASE_SECRET]
    assert "stringData" in secret.secret_paths
    (release,) = result.find(RELEASE_TYPE, "mlflow")
    assert [path for path in release.secret_paths if path.startswith("values")] == []
    assert release.inputs["values"]["backendStore"]["existingDatabaseSecret"]["name"] == DATABASE_SECRET


def test_the_rendered_chart_reads_the_password_from_the_secret(plan, helm) -> None:
    objects = _rendered(plan("prod"), helm)
    assert GENERATED_PASSWORD not in yaml.safe_dump_all(objects)
    pod = _one(objects, "Deployment")["spec"]["template"]["spec"]
    for container in (*pod["containers"], *[c for c in pod["initContainers"] if c["name"] != "dbchecker"]):
        env = {e["name"]: e.get("valueFrom") for e in container["env"]}
        assert env["PGPASSWORD"] == {"secretKeyRef": {"name": DATABASE_SECRET, "key": "password"}}
    (server,) = pod["containers"]
    assert "--backend-store-uri=postgresql://" in server["args"]
    env_secret = [
        o for o in objects if o["kind"] == "Secret" and o["metadata"]["name"] == "mlflow-env-secret"
    ]
    assert not (env_secret[0].get("data") or {})  # the chart writes no credentials of its own


@pytest.mark.parametrize("environment", EKS_ENVIRONMENTS)
def test_eks_artifacts_go_to_the_bucket_prefix_without_proxying(plan, environment) -> None:
    result = plan(environment)
    (bucket,) = result.find("aws:s3/bucket:Bucket")
    bucket_outputs = BUCKET_SPEC.mock_outputs["aws:s3/bucket:Bucket"](bucket.name, bucket.inputs)
    (release,) = result.find(RELEASE_TYPE, "mlflow")
    values = release.inputs["values"]
    assert values["artifactRoot"]["proxiedArtifactStorage"] is False
    assert values["artifactRoot"]["s3"] == {
        "enabled": True,
        "bucket": bucket_outputs["bucket"],
        "path": MODEL_ARTIFACT_PREFIX,
    }
    assert values["extraFlags"] == ["noServeArtifacts"]
    (association,) = [
        a
        for a in result.find("aws:eks/podIdentityAssociation:PodIdentityAssociation")
        if a.name.startswith("mlflow")
    ]
    assert (association.inputs["namespace"], association.inputs["serviceAccount"]) == (
        MLFLOW_NAMESPACE,
        "mlflow",
    )
    (policy,) = [r for r in result.find("aws:iam/rolePolicy:RolePolicy") if r.name.startswith("mlflow")]
    assert policy.inputs["policy"] == bucket_access_policy(bucket_outputs["arn"])
    assert association.urn in release.dependencies


def test_registered_model_sources_are_s3_uris(plan, helm) -> None:
    objects = _rendered(plan("dev"), helm)
    (server,) = _one(objects, "Deployment")["spec"]["template"]["spec"]["containers"]
    roots = [a for a in server["args"] if a.startswith("--default-artifact-root=")]
    assert len(roots) == 1 and roots[0].startswith("--default-artifact-root=s3://artifacts-")
    assert roots[0].endswith(f"/{MODEL_ARTIFACT_PREFIX}")
    assert "--no-serve-artifacts" in server["args"] and "--serve-artifacts" not in server["args"]
    assert _one(objects, "ServiceAccount")["metadata"]["name"] == "mlflow"


def test_local_keeps_sqlite_and_proxied_artifacts_on_one_volume(plan, helm) -> None:
    local = plan("local")
    assert local.find(INSTANCE) == [] and local.find(SUBNET_GROUP) == []
    (claim,) = [c for c in local.find(PVC) if c.inputs["metadata"]["namespace"] == MLFLOW_NAMESPACE]
    assert claim.inputs["spec"]["storageClassName"] == "standard"
    assert claim.inputs["spec"]["accessModes"] == ["ReadWriteOnce"]
    assert claim.inputs["spec"]["resources"]["requests"]["storage"] == "10Gi"
    deployment = _one(_rendered(local, helm), "Deployment")
    assert deployment["spec"]["replicas"] == 1 and deployment["spec"]["strategy"] == {"type": "Recreate"}
    (server,) = deployment["spec"]["template"]["spec"]["containers"]
    assert "--backend-store-uri=sqlite:////mlflow/mlflow.db" in server["args"]
    assert {"--serve-artifacts", "--artifacts-destination=/mlflow/artifacts"} <= set(server["args"])
    volumes = deployment["spec"]["template"]["spec"]["volumes"]
    assert {
        "name": "data",
        "persistentVolumeClaim": {"claimName": claim.inputs["metadata"]["name"]},
    } in volumes


def test_mlflow_is_routed_at_mlflow_on_the_gateway_behind_the_login(plan) -> None:
    result = plan("prod")
    (route,) = [r for r in result.find(ROUTE) if r.inputs["metadata"]["namespace"] == MLFLOW_NAMESPACE]
    spec = route.inputs["spec"]
    assert spec["gateways"] == [GATEWAY_REF]
    redirect, forward = spec["http"]
    assert redirect == {"match": [{"uri": {"exact": "/mlflow"}}], "redirect": {"uri": "/mlflow/"}}
    assert forward["match"] == [{"uri": {"prefix": "/mlflow/"}}] and forward["rewrite"] == {"uri": "/"}
    assert forward["route"][0]["destination"] == {
        "host": "mlflow.mlflow.svc.cluster.local",
        "port": {"number": MLFLOW_PORT},
    }
    # the login guards every path but the public ones
    public = json.dumps(
        [p.inputs for p in result.find("kubernetes:security.istio.io/v1:AuthorizationPolicy")]
    )
    assert "/mlflow" not in public


def test_only_the_gateway_and_profile_namespaces_reach_the_pods_the_chart_renders(plan, helm) -> None:
    result = plan("dev")
    (policy,) = [p for p in result.find(POLICY) if p.inputs["metadata"]["namespace"] == MLFLOW_NAMESPACE]
    spec = policy.inputs["spec"]
    objects = _rendered(result, helm)
    template = _one(objects, "Deployment")["spec"]["template"]
    assert POD_LABELS.items() <= template["metadata"]["labels"].items()
    assert spec["podSelector"] == {"matchLabels": POD_LABELS}
    (rule,) = spec["ingress"]
    gateway, profiles = rule["from"]
    assert gateway["namespaceSelector"] == {"matchLabels": {"kubernetes.io/metadata.name": "istio-system"}}
    assert profiles == {"namespaceSelector": {"matchLabels": PROFILE_NAMESPACE_LABEL}}
    (server,) = template["spec"]["containers"]
    assert rule["ports"] == [{"protocol": "TCP", "port": server["ports"][0]["containerPort"]}]
    service = _one(objects, "Service")
    assert (service["metadata"]["name"], service["spec"]["ports"][0]["port"]) == ("mlflow", MLFLOW_PORT)


def test_the_server_accepts_the_gateway_host_and_in_cluster_names(plan, helm) -> None:
    objects = _rendered(plan("prod"), helm)
    (config,) = [
        o for o in objects if o["kind"] == "ConfigMap" and o["metadata"]["name"] == "mlflow-env-configmap"
    ]
    hosts = config["data"]["MLFLOW_SERVER_ALLOWED_HOSTS"].split(",")
    assert {"kubeflow.example.com", "mlflow.mlflow.svc.cluster.local:5000", "localhost:*"} <= set(hosts)
    assert config["data"]["MLFLOW_SERVER_CORS_ALLOWED_ORIGINS"] == "https://kubeflow.example.com"


def test_the_tracking_uri_is_the_service_and_the_pipelines_default(env_config) -> None:
    assert MLFLOW_TRACKING_URI == DEFAULT_REGISTRY_URI == "http://mlflow.mlflow.svc.cluster.local:5000"
    assert environment_target(env_config("dev")).registry_uri == MLFLOW_TRACKING_URI


def test_switching_mlflow_off_creates_nothing_of_it(plan_of) -> None:
    def off(values: dict) -> None:
        values["components"]["mlflow"] = {"enabled": False}

    result = plan_of("prod", off)
    assert result.find(INSTANCE) == [] and result.find("kfstack:mlflow:Mlflow") == []
    assert not [
        a for a in result.find("aws:eks/podIdentityAssociation:PodIdentityAssociation") if "mlflow" in a.name
    ]
