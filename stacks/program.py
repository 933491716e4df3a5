"""The stack program: the platform's components in install order, each built from the validated
config and the outputs of the ones before it (`stacks/components/`). Reads no config itself."""

from __future__ import annotations

import pulumi

from stacks.components import absent_components
from stacks.components.artifact_bucket import build_artifact_bucket
from stacks.components.aws import build_aws
from stacks.components.cert_manager import build_cert_manager
from stacks.components.cluster import build_cluster
from stacks.components.dex import build_dex
from stacks.components.eks_addons import build_eks_addons
from stacks.components.gpu import build_gpu_support
from stacks.components.istio import build_istio
from stacks.components.karpenter import build_karpenter
from stacks.components.kfp_resources import build_kfp_resources
from stacks.components.namespaces import build_namespaces
from stacks.components.network import build_network
from stacks.components.node_groups import build_node_groups
from stacks.components.oauth2_proxy import build_oauth2_proxy
from stacks.components.storage import build_storage
from stacks.components.volumes import build_volumes
from stacks.config.environment import EnvironmentConfig
from stacks.context import StackContext


def build_platform(environment: str, config: EnvironmentConfig) -> None:
    """Create every resource of `environment` and export what operators need."""
    stack = StackContext(environment, config)
    aws = build_aws(stack)
    network = build_network(stack, aws)
    cluster = build_cluster(stack, aws, network)
    node_groups = build_node_groups(stack, cluster)
    addons = build_eks_addons(stack, cluster, node_groups)
    karpenter_pools = build_karpenter(stack, cluster, compute=[*node_groups, *addons])
    compute = [*node_groups, *addons, *karpenter_pools]
    placements = build_gpu_support(stack, cluster, after=addons)
    storage = build_storage(stack, cluster, after=addons)
    build_artifact_bucket(stack, aws)
    namespaces = build_namespaces(stack, cluster)
    cert_manager = build_cert_manager(stack, cluster, after=[*node_groups, *addons])
    mesh = build_istio(stack, cluster, cert_manager, namespaces, after=[*node_groups, *addons])
    login = build_dex(stack, cluster, mesh)
    build_oauth2_proxy(stack, cluster, mesh, login)
    claims = build_volumes(stack, cluster, storage, namespaces, compute)
    build_kfp_resources(stack, cluster, namespaces, placements, claims)

    for absent in absent_components(config):
        pulumi.log.warn(absent.message())
    pulumi.export("environment", environment)
    pulumi.export("kubernetesVersion", config.cluster.kubernetes_version)
