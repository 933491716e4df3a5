"""Kubeflow Pipelines, multi-user, from kubeflow/manifests (`platform-agnostic-multi-user` with
cert-manager): API server, UI, Argo workflow controller, metacontroller with the per-profile
pipelines controller, MySQL and SeaweedFS (KFP >= 2.15's in-cluster object store).

kfstack changes its two PersistentVolumeClaims (MySQL, SeaweedFS; 20Gi each) to name the stack's
ReadWriteOnce StorageClass instead of relying on a cluster default (EKS >= 1.30 has none unless
kfstack marks one, and an existing cluster may not either); on EKS with the artifact bucket it also
points KFP's artifacts at S3 (`kfp_artifact_store`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from stacks.component_spec import ComponentSpec
from stacks.components.cluster import Cluster
from stacks.components.kfp_artifact_store import S3ArtifactStore, s3_artifact_edits
from stacks.components.kubeflow_manifests import ManifestsInstall, install_manifests, installed
from stacks.components.storage import Storage
from stacks.context import StackContext

if TYPE_CHECKING:
    from modules.kustomize import Dependencies, Transformation

PIPELINES = "applications/pipeline/upstream/env/cert-manager/platform-agnostic-multi-user"

SPEC = ComponentSpec(
    name="kubeflow-pipelines",
    summary="Kubeflow Pipelines multi-user (Argo, metacontroller, MySQL, SeaweedFS)",
    key="kubeflowPipelines",
    manifests=(PIPELINES,),
    crds=(
        "clusterworkflowtemplates.argoproj.io",
        "cronworkflows.argoproj.io",
        "workflowartifactgctasks.argoproj.io",
        "workfloweventbindings.argoproj.io",
        "workflows.argoproj.io",
        "workflowtaskresults.argoproj.io",
        "workflowtasksets.argoproj.io",
        "workflowtemplates.argoproj.io",
        "compositecontrollers.metacontroller.k8s.io",
        "controllerrevisions.metacontroller.k8s.io",
        "decoratorcontrollers.metacontroller.k8s.io",
        "scheduledworkflows.kubeflow.org",
        "viewers.kubeflow.org",
    ),
)


def claims_on(storage_class: str) -> Transformation:
    """Put every PersistentVolumeClaim on `storage_class`."""

    def apply(obj: dict[str, Any]) -> None:
        if obj.get("kind") == "PersistentVolumeClaim":
            obj.setdefault("spec", {})["storageClassName"] = storage_class

    return apply


def build_kubeflow_pipelines(
    stack: StackContext,
    cluster: Cluster,
    storage: Storage,
    after: Dependencies,
    artifact_store: S3ArtifactStore | None = None,
) -> ManifestsInstall | None:
    """KFP after `after` and the StorageClasses its claims use, its artifacts in `artifact_store`
    (None: upstream's SeaweedFS); None when switched off."""
    if not stack.config.components.enabled("kubeflowPipelines"):
        return None
    from modules.kustomize import combined

    kfp = install_manifests(
        stack,
        cluster,
        "kubeflow-pipelines",
        "kubeflowPipelines",
        PIPELINES,
        # the pods need their Pod Identity associations to exist when they start
        combined(after, storage.ready, list(artifact_store.ready) if artifact_store else []),
        transformations=[
            claims_on(storage.rwo_class),
            *(s3_artifact_edits(artifact_store) if artifact_store else []),
        ],
    )
    return installed(kfp)


KFP_IN_CLUSTER = "http://ml-pipeline.kubeflow.svc.cluster.local:8888"
"""The KFP API Service upstream installs (`ml-pipeline` in `kubeflow`, HTTP port 8888)."""


def export_kfp_endpoints(stack: StackContext, dashboard_url: str | None) -> None:
    """Stack outputs: the KFP API in the cluster and through the gateway (behind the login)."""
    if not stack.config.components.enabled("kubeflowPipelines"):
        return
    import pulumi

    pulumi.export("kfpEndpointInCluster", KFP_IN_CLUSTER)
    if dashboard_url is not None:
        pulumi.export("kfpEndpoint", f"{dashboard_url}pipeline")
