"""The stack program: the platform's components in install order, each built from the validated
config and the outputs of the ones before it (`stacks/components/`). Reads no config itself."""

from __future__ import annotations

import pulumi

from stacks.components import absent_components
from stacks.components.artifact_bucket import build_artifact_bucket
from stacks.components.aws import build_aws
from stacks.components.central_dashboard import build_central_dashboard
from stacks.components.cert_manager import build_cert_manager
from stacks.components.cluster import build_cluster
from stacks.components.cluster_autoscaler import build_cluster_autoscaler
from stacks.components.dcgm_exporter import build_dcgm_exporter
from stacks.components.determined import build_determined
from stacks.components.dex import build_dex
from stacks.components.eks_addons import build_eks_addons, build_network_addons
from stacks.components.gpu import build_gpu_support
from stacks.components.istio import build_istio
from stacks.components.karpenter import build_karpenter
from stacks.components.kfp_artifact_store import build_kfp_artifact_store
from stacks.components.kfp_resources import build_kfp_resources
from stacks.components.knative import build_knative
from stacks.components.kserve import build_kserve
from stacks.components.kubeflow_manifests import after_parts
from stacks.components.kubeflow_mtls import build_kubeflow_mtls
from stacks.components.kubeflow_pipelines import build_kubeflow_pipelines, export_kfp_endpoints
from stacks.components.kubeflow_roles import build_kubeflow_roles
from stacks.components.mlflow import build_mlflow
from stacks.components.monitoring import build_monitoring
from stacks.components.namespaces import build_namespaces
from stacks.components.network import build_network
from stacks.components.node_groups import build_node_groups
from stacks.components.oauth2_proxy import build_oauth2_proxy
from stacks.components.pod_defaults import build_pod_defaults
from stacks.components.profiles import build_profiles
from stacks.components.storage import build_storage
from stacks.components.team_profiles import build_team_profiles
from stacks.components.volumes import build_volumes
from stacks.config.environment import EnvironmentConfig
from stacks.context import StackContext


def build_platform(environment: str, config: EnvironmentConfig) -> None:
    """Create every resource of `environment` and export what operators need."""
    stack = StackContext(environment, config)
    aws = build_aws(stack)
    network = build_network(stack, aws)
    cluster = build_cluster(stack, aws, network)
    network_addons = build_network_addons(stack, cluster)
    node_groups = build_node_groups(stack, cluster, after=network_addons)
    addons = [*network_addons, *build_eks_addons(stack, cluster, node_groups)]
    karpenter_pools = build_karpenter(stack, cluster, compute=[*node_groups, *addons])
    build_cluster_autoscaler(stack, cluster, compute=[*node_groups, *addons])
    compute = [*node_groups, *addons, *karpenter_pools]
    placements = build_gpu_support(stack, cluster, after=addons)
    storage = build_storage(stack, cluster, after=addons)
    bucket = build_artifact_bucket(stack, aws)
    artifact_store = build_kfp_artifact_store(stack, cluster, bucket)
    namespaces = build_namespaces(stack, cluster)
    cert_manager = build_cert_manager(stack, cluster, after=compute)
    mesh = build_istio(stack, cluster, cert_manager, namespaces, after=compute)
    login = build_dex(stack, cluster, mesh)
    oauth2_proxy = build_oauth2_proxy(stack, cluster, mesh, login)
    # Kubeflow's Certificates, Istio objects and injected Pods need cert-manager, the Istio CRDs and
    # a running istiod (the gateway release installs after it)
    kubeflow: list[pulumi.Resource] = [namespaces["kubeflow"]]
    kubeflow += [cert_manager] if cert_manager is not None else []
    kubeflow += [mesh.base, mesh.gateway_release] if mesh is not None else []
    build_kubeflow_mtls(stack, cluster, mesh, namespaces)
    roles = build_kubeflow_roles(stack, cluster, after=kubeflow)
    pod_defaults = build_pod_defaults(stack, cluster, after=after_parts(kubeflow, roles))
    profiles = build_profiles(stack, cluster, after=after_parts(kubeflow, roles))
    pipelines = build_kubeflow_pipelines(
        stack, cluster, storage, after=after_parts(kubeflow, roles), artifact_store=artifact_store
    )
    build_central_dashboard(stack, cluster, after=after_parts(kubeflow, roles))
    export_kfp_endpoints(stack, mesh.dashboard_url if mesh is not None else None)
    build_determined(
        stack, cluster, storage, placements, mesh, after=[*compute, *(r for r in (oauth2_proxy,) if r)]
    )
    build_mlflow(stack, cluster, mesh, bucket)
    monitoring = build_monitoring(stack, cluster, mesh, storage, after=[r for r in (oauth2_proxy,) if r])
    build_dcgm_exporter(stack, cluster, monitoring)
    # profile namespaces admit Pods through the PodDefault webhook and serve pipelines: wait for both
    team_profiles = build_team_profiles(
        stack, cluster, after=after_parts(kubeflow, profiles, pod_defaults, pipelines)
    )
    namespaces_ready = {**namespaces, **team_profiles}
    knative = build_knative(stack, cluster, mesh, after=kubeflow)
    build_kserve(stack, cluster, cert_manager, mesh, namespaces_ready, bucket, knative)
    claims = build_volumes(stack, cluster, storage, namespaces_ready, compute)
    build_kfp_resources(stack, cluster, namespaces_ready, placements, claims)

    for absent in absent_components(config):
        pulumi.log.warn(absent.message())
    pulumi.export("environment", environment)
    pulumi.export("kubernetesVersion", config.cluster.kubernetes_version)
