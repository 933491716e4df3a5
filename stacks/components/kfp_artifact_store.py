"""Where Kubeflow Pipelines keeps artifacts on EKS: the stack's S3 bucket instead of the in-cluster
SeaweedFS, reached with an IAM role that EKS Pod Identity gives KFP's service accounts.

Local and existing clusters keep KFP's default (SeaweedFS in `kubeflow`). On EKS with the artifact
bucket, kfstack edits four upstream objects of the KFP kustomization as they are installed:

- the pipelines profile controller's code (`sync.py`, shipped in a ConfigMap): it writes each profile
  namespace's `kfp-launcher` (the pipeline root) and `artifact-repositories` (Argo's logs and
  artifacts) with SeaweedFS hard-coded and reads no setting for either, so kfstack adds one function
  that rewrites those two objects to S3 before the controller returns them. The metacontroller
  DecoratorController reconciles those ConfigMaps as its children, so a kfstack-owned copy would race
  it; editing the code is the mechanism that holds. The edit anchors on two lines of upstream's code and
  fails the plan if either is not there exactly once (a new KFP version then needs a look, not a guess);
- the controller's Deployment: the bucket and region as environment, and a hash of the edited code on
  the pod template so a change of the code restarts the controller (it reads the code once at start);
- `ml-pipeline` (API server: pipeline specs and artifact reads): S3 endpoint, region and bucket, without
  the SeaweedFS keys, so it uses the SDK's default credential chain (Pod Identity);
- `ml-pipeline-ui`: region, S3 endpoint and log archive bucket (the UI uses the AWS SDK provider chain for
  `s3://` artifacts).

SeaweedFS stays installed: the profile controller still creates a SeaweedFS key per profile namespace
(upstream's code needs the endpoint), but no pipeline data goes there. ConfigMaps the controller created
before the switch are not rewritten (its update strategy is OnDelete): delete them to regenerate.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pulumi

from stacks.component_spec import ComponentSpec
from stacks.components.artifact_bucket import ArtifactBucketRefs
from stacks.components.cluster import Cluster
from stacks.context import StackContext
from stacks.mock_values import aws_arn

if TYPE_CHECKING:
    from modules.artifact_access import ServiceAccountRef
    from modules.kustomize import Transformation

NAMESPACE = "kubeflow"
API_SERVER = "ml-pipeline"
UI = "ml-pipeline-ui"
PROFILE_CONTROLLER = "kubeflow-pipelines-profile-controller"
SYNC_CODE = "kubeflow-pipelines-profile-controller-code"
"""The ConfigMap holding `sync.py` (kustomize appends a content hash to the name)."""
PIPELINE_RUNNER = "default-editor"
"""The account KFP multi-user runs pipelines as in each profile namespace (upstream's
api-service/params.env DEFAULTPIPELINERUNNERSERVICEACCOUNT); the Kubeflow profile controller creates it
(kubeflow/dashboard components/profile-controller/controllers/profile_controller.go, DEFAULT_EDITOR)."""
KFP_SERVICE_ACCOUNTS = (API_SERVER, UI)
"""Accounts in `kubeflow` that read or write the bucket (their Deployments' serviceAccountName)."""

BUCKET_ENV = "KFSTACK_ARTIFACT_BUCKET"
REGION_ENV = "KFSTACK_ARTIFACT_REGION"
CODE_HASH_ANNOTATION = "kfstack.io/profile-controller-code"

SPEC = ComponentSpec(
    name="kfp-artifact-store",
    summary="KFP artifacts in the stack's S3 bucket through a Pod Identity role (EKS); SeaweedFS elsewhere",
    mock_outputs={
        "aws:eks/podIdentityAssociation:PodIdentityAssociation": lambda name, inputs: {
            "associationArn": aws_arn("eks", f"podidentityassociation/{name}"),
            "associationId": f"a-{name}",
        },
    },
)


class UpstreamCodeChanged(RuntimeError):
    """The profile controller's code no longer has a line kfstack's edit anchors on."""


S3_ARTIFACTS_FUNCTION = '''
def _kfstack_s3_artifacts(desired_resources, namespace):
    """Added by kfstack: pipeline root and Argo artifacts in the stack's S3 bucket, credentials
    from the pod's IAM role (EKS Pod Identity) instead of SeaweedFS keys."""
    bucket = os.environ["KFSTACK_ARTIFACT_BUCKET"]
    region = os.environ["KFSTACK_ARTIFACT_REGION"]
    for resource in desired_resources:
        if resource["kind"] != "ConfigMap":
            continue
        name = resource["metadata"]["name"]
        if name == "kfp-launcher":
            # fromEnv credentials take the region from the root's query (the launcher ignores a provider
            # region then); artifact URIs are generated without the query
            resource["data"]["defaultPipelineRoot"] = (
                f"s3://{bucket}/private-artifacts/{namespace}/v2/artifacts?region={region}"
            )
        elif name == "artifact-repositories":
            repository = json.loads(resource["data"]["default-namespaced"])
            repository["s3"] = {
                "endpoint": f"s3.{region}.amazonaws.com",
                "bucket": bucket,
                "region": region,
                "keyFormat": repository["s3"]["keyFormat"],
                "useSDKCreds": True,
            }
            resource["data"]["default-namespaced"] = json.dumps(repository)
    return desired_resources
'''

_RETURN = 'return {"status": desired_status, "attachments": desired_resources}'
_MAIN = '\nif __name__ == "__main__":'


def _replace_once(code: str, anchor: str, replacement: str) -> str:
    if code.count(anchor) != 1:
        raise UpstreamCodeChanged(
            f"the pipelines profile controller's sync.py has {code.count(anchor)} copies of {anchor!r} "
            "(expected 1): check the S3 artifact edit against this KFP version"
        )
    return code.replace(anchor, replacement)


def s3_sync_code(code: str) -> str:
    """Upstream's `sync.py` with its desired ConfigMaps rewritten to S3 (see the module docstring)."""
    code = _replace_once(
        code,
        _RETURN,
        _RETURN.replace("desired_resources}", "_kfstack_s3_artifacts(desired_resources, namespace)}"),
    )
    return _replace_once(code, _MAIN, S3_ARTIFACTS_FUNCTION + "\n" + _MAIN)


@dataclass(frozen=True)
class S3ArtifactStore:
    """The bucket KFP uses on EKS, and the associations whose credentials its pods need at start."""

    bucket: pulumi.Input[str]
    region: str
    ready: tuple[pulumi.Resource, ...] = ()


def s3_endpoint(region: str) -> str:
    """The regional S3 endpoint (a host, as KFP's and Argo's settings take it)."""
    return f"s3.{region}.amazonaws.com"


def _is(obj: dict[str, Any], kind: str, name: str) -> bool:
    meta = obj.get("metadata") or {}
    return obj.get("kind") == kind and meta.get("namespace") == NAMESPACE and meta.get("name") == name


def _container(obj: dict[str, Any], name: str) -> dict[str, Any]:
    containers = obj["spec"]["template"]["spec"]["containers"]
    found = [c for c in containers if c.get("name") == name]
    if len(found) != 1:
        raise UpstreamCodeChanged(f"{obj['metadata']['name']} has no container {name!r}")
    return found[0]


def _set_env(
    container: dict[str, Any], values: dict[str, pulumi.Input[str]], drop: tuple[str, ...] = ()
) -> None:
    """Set `values` (replacing an entry of that name, `valueFrom` included) and remove `drop`."""
    kept = [e for e in container.get("env") or [] if e["name"] not in values and e["name"] not in drop]
    container["env"] = kept + [{"name": name, "value": value} for name, value in values.items()]


def s3_artifact_edits(store: S3ArtifactStore) -> list[Transformation]:
    """The edits to the KFP kustomization that put its artifacts into `store`."""
    region = store.region
    endpoint = s3_endpoint(region)

    def sync_code(obj: dict[str, Any]) -> None:
        meta = obj.get("metadata") or {}
        if obj.get("kind") == "ConfigMap" and str(meta.get("name", "")).startswith(f"{SYNC_CODE}-"):
            obj["data"]["sync.py"] = s3_sync_code(obj["data"]["sync.py"])

    def profile_controller(obj: dict[str, Any]) -> None:
        if _is(obj, "Deployment", PROFILE_CONTROLLER):
            _set_env(_container(obj, "profile-controller"), {BUCKET_ENV: store.bucket, REGION_ENV: region})
            template = obj["spec"]["template"].setdefault("metadata", {})
            template.setdefault("annotations", {})[CODE_HASH_ANNOTATION] = hashlib.sha256(
                S3_ARTIFACTS_FUNCTION.encode()
            ).hexdigest()[:16]

    def api_server(obj: dict[str, Any]) -> None:
        if _is(obj, "Deployment", API_SERVER):
            _set_env(
                _container(obj, "ml-pipeline-api-server"),
                {
                    "OBJECTSTORECONFIG_HOST": endpoint,
                    "OBJECTSTORECONFIG_SECURE": "true",
                    "OBJECTSTORECONFIG_REGION": region,
                    "OBJECTSTORECONFIG_BUCKETNAME": store.bucket,
                },
                drop=(
                    "OBJECTSTORECONFIG_PORT",
                    "OBJECTSTORECONFIG_ACCESSKEY",
                    "OBJECTSTORECONFIG_SECRETACCESSKEY",
                ),
            )

    def ui(obj: dict[str, Any]) -> None:
        if _is(obj, "Deployment", UI):
            _set_env(
                _container(obj, UI),
                {
                    "AWS_REGION": region,
                    "AWS_S3_ENDPOINT": endpoint,
                    "AWS_SSL": "true",
                    "ARGO_ARCHIVE_ARTIFACTORY": "s3",
                    "ARGO_ARCHIVE_BUCKETNAME": store.bucket,
                },
            )

    edits: list[Callable[[dict[str, Any]], None]] = [sync_code, profile_controller, api_server, ui]
    return edits


def artifact_service_accounts(profiles: frozenset[str]) -> tuple[ServiceAccountRef, ...]:
    """KFP's own accounts and the pipeline runner of each profile namespace."""
    from modules.artifact_access import ServiceAccountRef

    own = [ServiceAccountRef(NAMESPACE, account) for account in KFP_SERVICE_ACCOUNTS]
    return (*own, *(ServiceAccountRef(profile, PIPELINE_RUNNER) for profile in sorted(profiles)))


def build_kfp_artifact_store(
    stack: StackContext, cluster: Cluster, bucket: ArtifactBucketRefs | None
) -> S3ArtifactStore | None:
    """The S3 store with its Pod Identity role on EKS; None where KFP keeps SeaweedFS (no bucket, an
    existing cluster, or KFP switched off)."""
    if bucket is None or cluster.eks is None or not stack.config.components.enabled("kubeflowPipelines"):
        return None
    from modules.artifact_access import ArtifactAccess, ArtifactAccessArgs

    access = ArtifactAccess(
        "kfp-artifacts",
        ArtifactAccessArgs(
            cluster_name=cluster.eks.name,
            bucket_arn=bucket.arn,
            service_accounts=artifact_service_accounts(stack.config.profile_namespaces()),
        ),
        opts=cluster.eks.aws.options(),
    )
    return S3ArtifactStore(bucket.name, bucket.region, ready=access.associations)
