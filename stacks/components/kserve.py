"""KServe model serving: the CRD and controller charts after cert-manager (webhook certificates) and
Istio (ingress), Knative in Knative mode, and the serving namespace the pipelines deploy to: its
model-server account (on EKS with the artifact bucket, a read-only Pod Identity role on the model
artifacts) and the Role that lets the pipeline runner deploy InferenceServices there."""

from __future__ import annotations

from collections.abc import Mapping
from functools import partial
from typing import TYPE_CHECKING

import pulumi

from stacks.component_spec import ChartSource, ComponentSpec
from stacks.components.artifact_bucket import ArtifactBucketRefs
from stacks.components.cluster import Cluster
from stacks.components.istio import Mesh
from stacks.components.kfp_artifact_store import PIPELINE_RUNNER
from stacks.components.kubeflow_manifests import ManifestsInstall
from stacks.context import StackContext

if TYPE_CHECKING:
    from modules.kserve import KServe, KServeIngress
    from modules.kustomize import Dependencies
    from stacks.config.environment import EnvironmentConfig

SPEC = ComponentSpec(
    name="kserve",
    summary="KServe (Standard mode by default, Knative optional), serving runtimes, serving namespace",
    key="kserve",
    charts=(
        ChartSource("kserve-crd", pinned_by="kserve"),
        ChartSource("kserve", pinned_by="kserve", installs_crds=False),
    ),
    crd_groups=("serving.kserve.io",),
)


def kserve_ingress(config: EnvironmentConfig, https: bool) -> KServeIngress:
    """InferenceService hosts under the gateway's hostname (the chart's domain without one)."""
    from modules.kserve import DEFAULT_DOMAIN, KServeIngress

    return KServeIngress(config.gateway.hostname or DEFAULT_DOMAIN, "https" if https else "http")


def build_kserve(
    stack: StackContext,
    cluster: Cluster,
    cert_manager: pulumi.Resource | None,
    mesh: Mesh | None,
    namespaces: Mapping[str, pulumi.Resource],
    bucket: ArtifactBucketRefs | None,
    knative: ManifestsInstall | None,
) -> KServe | None:
    """KServe and its serving namespace; None when off.

    `namespaces`: namespace -> what makes it usable (a platform Namespace or a TeamProfile); the serving
    namespace is created only when it is not among them.
    """
    config = stack.config
    kserve = config.components.kserve
    if not kserve.enabled:
        return None
    assert cert_manager is not None and mesh is not None  # the config requires both
    from modules.kserve import KServe, KServeArgs, inference_service_url

    crd_chart, chart = (source.pinned(config.components) for source in SPEC.charts)
    namespace = config.serving_namespace()
    existing = namespaces.get(namespace)
    ready: list[pulumi.Input[pulumi.Resource]] = [cert_manager, mesh.base, mesh.gateway_release]
    depends_on: Dependencies = ready
    if kserve.deployment_mode == "Knative":
        assert knative is not None  # the config requires Knative in Knative mode
        from modules.kustomize import combined

        depends_on = combined(ready, knative.ready)
    ingress = kserve_ingress(config, mesh.https)
    reads_bucket = bucket is not None and cluster.eks is not None
    installed = KServe(
        "kserve",
        KServeArgs(
            crd_chart=crd_chart,
            chart=chart,
            version=f"v{config.components.pin('kserve').app_version}",
            deployment_mode=kserve.deployment_mode,
            ingress=ingress,
            mirror=config.images.mirror(),
            serving_namespace=namespace,
            create_serving_namespace=existing is None,
            istio_injection=True,
            deployer_namespace=config.pipelines.namespace,
            deployer_account=PIPELINE_RUNNER,
            s3_region=bucket.region if reads_bucket and bucket is not None else None,
            serving_namespace_ready=(existing,) if existing is not None else (),
        ),
        opts=pulumi.ResourceOptions.merge(cluster.options(), pulumi.ResourceOptions(depends_on=depends_on)),
    )
    if reads_bucket and bucket is not None and cluster.eks is not None:
        _model_artifact_access(cluster, bucket, namespace)
    pulumi.export("servingNamespace", namespace)
    if kserve.deployment_mode == "Standard":
        pulumi.export("inferenceServiceUrl", inference_service_url(ingress, namespace))
    return installed


def _model_artifact_access(cluster: Cluster, bucket: ArtifactBucketRefs, namespace: str) -> None:
    """A Pod Identity role for the model servers: read-only, only the model artifacts' prefix."""
    from modules.artifact_access import (
        ArtifactAccess,
        ArtifactAccessArgs,
        ServiceAccountRef,
        prefix_read_policy,
    )
    from modules.vocabulary import MODEL_ARTIFACT_PREFIX, MODEL_SERVER_ACCOUNT

    assert cluster.eks is not None
    ArtifactAccess(
        "model-artifacts",
        ArtifactAccessArgs(
            cluster_name=cluster.eks.name,
            bucket_arn=bucket.arn,
            service_accounts=(ServiceAccountRef(namespace, MODEL_SERVER_ACCOUNT),),
            policy=partial(prefix_read_policy, prefix=MODEL_ARTIFACT_PREFIX),
        ),
        opts=cluster.eks.aws.options(),
    )
