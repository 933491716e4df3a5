"""KFP's artifacts: in the stack's S3 bucket on EKS through a Pod Identity role for the accounts that
exist upstream (the edited upstream objects still validate, and the edited profile controller code,
run as upstream ships it, writes a pipeline root KFP's launcher parses); SeaweedFS on `local`."""

from __future__ import annotations

import json
import re
import sys
import threading
import types
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from modules.artifact_access import POD_IDENTITY_PRINCIPAL, bucket_access_policy
from stacks.components.artifact_bucket import SPEC as BUCKET_SPEC
from stacks.components.kfp_artifact_store import (
    API_SERVER,
    BUCKET_ENV,
    PIPELINE_RUNNER,
    PROFILE_CONTROLLER,
    REGION_ENV,
    SYNC_CODE,
    UI,
    UpstreamCodeChanged,
    s3_sync_code,
)
from stacks.components.kubeflow_pipelines import PIPELINES
from tests.stacks.components.kubeflow_parts import needs_manifests, planned_objects, upstream

EKS_ENVIRONMENTS = ("dev", "staging", "prod")
ASSOCIATION = "aws:eks/podIdentityAssociation:PodIdentityAssociation"

# KFP 2.16 backend/src/v2/objectstore/config.go `bucketPattern`: how the launcher splits a pipeline root
# into scheme, bucket, prefix and query (ParseBucketPathToConfig)
KFP_BUCKET_PATTERN = re.compile(r"^([a-z][a-z0-9]+:///?)([^/?]+)(/[^?]*)?(\?.+)?$")


def _env(obj: dict[str, Any]) -> dict[str, Any]:
    (container,) = obj["spec"]["template"]["spec"]["containers"]
    return {e["name"]: e.get("value", e.get("valueFrom")) for e in container.get("env") or []}


def _upstream_kfp() -> dict[tuple[str, str], dict[str, Any]]:
    return {(o["kind"], o["metadata"]["name"]): o for o in upstream(PIPELINES)}


@pytest.mark.parametrize("environment", EKS_ENVIRONMENTS)
def test_eks_gives_kfp_accounts_a_pod_identity_role_on_exactly_the_bucket(plan, environment) -> None:
    result = plan(environment)
    (bucket,) = result.find("aws:s3/bucket:Bucket")
    (access,) = result.find("kfstack:storage:ArtifactAccess", "kfp-artifacts")
    inside = [r for r in result.resources if r.parent == access.urn]
    (role,) = [r for r in inside if r.type == "aws:iam/role:Role"]
    (policy,) = [r for r in inside if r.type == "aws:iam/rolePolicy:RolePolicy"]
    trusted = {s["Principal"]["Service"] for s in json.loads(role.inputs["assumeRolePolicy"])["Statement"]}
    assert trusted == {POD_IDENTITY_PRINCIPAL}
    # the bucket's ARN as the mock runtime answers it (the provider's output in a real preview)
    arn = BUCKET_SPEC.mock_outputs["aws:s3/bucket:Bucket"](bucket.name, bucket.inputs)["arn"]
    assert policy.inputs["policy"] == bucket_access_policy(arn)
    associations = [a for a in result.find(ASSOCIATION) if a.parent == access.urn]
    profiles = {p.name for p in result.config.profiles}
    assert {(a.inputs["namespace"], a.inputs["serviceAccount"]) for a in associations} == {
        ("kubeflow", API_SERVER),
        ("kubeflow", UI),
        *((profile, PIPELINE_RUNNER) for profile in profiles),
    }
    (cluster,) = result.find("aws:eks/cluster:Cluster")
    assert {a.inputs["clusterName"] for a in associations} == {cluster.inputs["name"]}


def test_local_and_a_switched_off_bucket_keep_seaweedfs(plan, plan_of) -> None:
    assert plan("local").find("kfstack:storage:ArtifactAccess") == []

    def switch_off(values: dict) -> None:
        values["storage"]["artifactBucket"] = {"enabled": False}
        values["components"]["mlflow"] = {"enabled": False}  # MLflow on EKS needs the bucket

    dev = plan_of("dev", switch_off)
    assert dev.find("kfstack:storage:ArtifactAccess") == []
    # the only association left is the cluster autoscaler's own
    assert [a.inputs["serviceAccount"] for a in dev.find(ASSOCIATION)] == ["cluster-autoscaler"]


@needs_manifests
def test_the_associated_accounts_exist_upstream_or_are_the_profile_pipeline_runner() -> None:
    kfp = _upstream_kfp()
    for account in (API_SERVER, UI):
        assert ("ServiceAccount", account) in kfp
        assert kfp[("Deployment", account)]["spec"]["template"]["spec"]["serviceAccountName"] == account
    (api_config,) = [
        o
        for (kind, name), o in kfp.items()
        if kind == "ConfigMap" and name.startswith("pipeline-api-server-config")
    ]
    assert api_config["data"]["DEFAULTPIPELINERUNNERSERVICEACCOUNT"] == PIPELINE_RUNNER


@needs_manifests
def test_local_installs_kfp_with_its_in_cluster_store(manifests_plan) -> None:
    planned = {
        (k[1], k[3]): obj
        for k, (_, obj) in planned_objects(manifests_plan("local"), name="kubeflow-pipelines").items()
    }
    assert _env(planned[("Deployment", API_SERVER)])["OBJECTSTORECONFIG_HOST"] == "seaweedfs.kubeflow"
    (code,) = [
        o for (kind, name), o in planned.items() if kind == "ConfigMap" and name.startswith(f"{SYNC_CODE}-")
    ]
    assert "_kfstack_s3_artifacts" not in code["data"]["sync.py"]


@needs_manifests
def test_the_api_server_and_ui_read_the_bucket_with_pod_credentials(manifests_plan) -> None:
    result = manifests_plan("dev")
    planned = {
        (k[1], k[3]): obj for k, (_, obj) in planned_objects(result, name="kubeflow-pipelines").items()
    }
    region = result.config.cluster.eks.region
    bucket = _env(planned[("Deployment", PROFILE_CONTROLLER)])[BUCKET_ENV]
    assert (
        bucket.startswith("artifacts-")
        and _env(planned[("Deployment", PROFILE_CONTROLLER)])[REGION_ENV] == region
    )
    api = _env(planned[("Deployment", API_SERVER)])
    assert {k: v for k, v in api.items() if k.startswith("OBJECTSTORECONFIG_")} == {
        "OBJECTSTORECONFIG_HOST": f"s3.{region}.amazonaws.com",
        "OBJECTSTORECONFIG_SECURE": "true",
        "OBJECTSTORECONFIG_REGION": region,
        "OBJECTSTORECONFIG_BUCKETNAME": bucket,
    }  # no static keys: the API server falls back to the SDK's default chain (Pod Identity)
    ui = _env(planned[("Deployment", UI)])
    assert (ui["AWS_REGION"], ui["AWS_S3_ENDPOINT"], ui["ARGO_ARCHIVE_BUCKETNAME"]) == (
        region,
        f"s3.{region}.amazonaws.com",
        bucket,
    )
    assert "AWS_ACCESS_KEY_ID" not in ui
    (access,) = result.find("kfstack:storage:ArtifactAccess", "kfp-artifacts")
    associations = {r.urn for r in result.find(ASSOCIATION) if r.parent == access.urn}
    (api_resource,) = [
        r
        for k, (r, _) in planned_objects(result, name="kubeflow-pipelines").items()
        if k[1:] == ("Deployment", "kubeflow", API_SERVER)
    ]
    assert associations <= set(api_resource.dependencies)  # pods start with their credentials


@contextmanager
def _profile_controller(code: str, env: dict[str, str], monkeypatch) -> Iterator[str]:
    """Upstream's controller code served as the metacontroller webhook it is; botocore is replaced by a
    stub (no SeaweedFS here: requests carry the namespace's existing key Secret, so it calls none)."""
    session = types.SimpleNamespace(create_client=lambda *args, **kwargs: object())
    botocore = types.ModuleType("botocore")
    botocore_session = types.ModuleType("botocore.session")
    botocore_session.get_session = lambda: session  # type: ignore[attr-defined]
    botocore.session = botocore_session  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "botocore", botocore)
    monkeypatch.setitem(sys.modules, "botocore.session", botocore_session)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    module: dict[str, Any] = {"__name__": "sync"}
    exec(compile(code, "sync.py", "exec"), module)
    server = module["server_factory"](
        frontend_image="img",
        frontend_tag="2.16.0",
        disable_istio_sidecar=False,
        artifacts_proxy_enabled="false",
        artifact_retention_days=-1,
        url="127.0.0.1",
        controller_port=0,
    )
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/sync"
    finally:
        server.shutdown()
        server.server_close()


def _sync(url: str, namespace: str) -> dict[str, Any]:
    secret = {
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": {"name": "mlpipeline-minio-artifact", "namespace": namespace},
    }
    request = {
        "object": {"metadata": {"name": namespace, "labels": {"pipelines.kubeflow.org/enabled": "true"}}},
        "attachments": {
            "Secret.v1": {f"{namespace}/mlpipeline-minio-artifact": secret},
            "ConfigMap.v1": {},
            "Deployment.apps/v1": {},
            "Service.v1": {},
        },
    }
    body = json.dumps(request).encode()
    with urllib.request.urlopen(
        urllib.request.Request(url, body, {"Content-Type": "application/json"})
    ) as reply:
        return json.loads(reply.read())


@needs_manifests
def test_the_edited_profile_controller_puts_each_profile_root_and_argo_repository_in_s3(
    manifests_plan, monkeypatch
) -> None:
    result = manifests_plan("dev")
    planned = {
        (k[1], k[3]): obj for k, (_, obj) in planned_objects(result, name="kubeflow-pipelines").items()
    }
    (code,) = [
        o for (kind, name), o in planned.items() if kind == "ConfigMap" and name.startswith(f"{SYNC_CODE}-")
    ]
    env = {k: v for k, v in _env(planned[("Deployment", PROFILE_CONTROLLER)]).items() if isinstance(v, str)}
    bucket, region = env[BUCKET_ENV], env[REGION_ENV]
    with _profile_controller(code["data"]["sync.py"], env, monkeypatch) as url:
        desired = _sync(url, "team-a")
    configmaps = {
        o["metadata"]["name"]: o["data"] for o in desired["attachments"] if o["kind"] == "ConfigMap"
    }
    root = configmaps["kfp-launcher"]["defaultPipelineRoot"]
    scheme, parsed_bucket, prefix, query = KFP_BUCKET_PATTERN.match(root).groups()  # type: ignore[union-attr]
    assert (scheme, parsed_bucket, prefix, query) == (
        "s3://",
        bucket,
        "/private-artifacts/team-a/v2/artifacts",
        f"?region={region}",
    )
    repository = json.loads(configmaps["artifact-repositories"]["default-namespaced"])
    assert repository["archiveLogs"] is True
    assert repository["s3"] == {
        "endpoint": f"s3.{region}.amazonaws.com",
        "bucket": bucket,
        "region": region,
        "keyFormat": "private-artifacts/team-a/{{workflow.name}}/{{workflow.creationTimestamp.Y}}/"
        "{{workflow.creationTimestamp.m}}/{{workflow.creationTimestamp.d}}/{{pod.name}}",
        "useSDKCreds": True,
    }
    assert (
        configmaps["metadata-grpc-configmap"]["METADATA_GRPC_SERVICE_HOST"]
        == "metadata-grpc-service.kubeflow"
    )


@needs_manifests
def test_upstream_profile_controller_code_writes_seaweedfs(monkeypatch) -> None:
    """The baseline the edit changes: unedited, the same request gets SeaweedFS (so the test above can fail)."""
    (code,) = [
        o
        for (kind, name), o in _upstream_kfp().items()
        if kind == "ConfigMap" and name.startswith(f"{SYNC_CODE}-")
    ]
    with _profile_controller(code["data"]["sync.py"], {"KFP_VERSION": "2.16.0"}, monkeypatch) as url:
        desired = _sync(url, "team-a")
    (launcher,) = [o for o in desired["attachments"] if o["metadata"]["name"] == "kfp-launcher"]
    assert launcher["data"]["defaultPipelineRoot"].startswith("minio://mlpipeline/")


def test_an_upstream_change_to_the_anchored_lines_fails_loudly() -> None:
    with pytest.raises(UpstreamCodeChanged, match="expected 1"):
        s3_sync_code('def sync():\n    return {}\n\nif __name__ == "__main__":\n    main()\n')
