"""Infrastructure rules that span config sections (cluster kind x node pools x storage x components)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from stacks.config.rules import Violation, violation
from stacks.config.versions import RELEASE_SETS

if TYPE_CHECKING:
    from stacks.config.environment import EnvironmentConfig


def infrastructure_problems(config: EnvironmentConfig) -> Iterator[Violation]:
    """Violations relative to the environment root (paths like `nodePools.gpu-a10g.provisioner`)."""
    cluster = config.cluster
    if cluster.kind == "existing":
        yield from _existing_cluster_problems(config)
    else:
        yield from _eks_problems(config)
    for name, volume in config.storage.volumes.items():
        if volume.namespace is not None and volume.namespace != config.pipelines.namespace:
            yield violation(
                ("storage", "volumes", name, "namespace"),
                f"pipeline steps run in '{config.pipelines.namespace}' (pipelines.namespace) "
                "and can only mount claims of their own namespace",
                volume.namespace,
            )
    bucket = config.storage.artifact_bucket
    creates_bucket = bucket.enabled is not False and cluster.kind == "eks"
    if config.protect_stateful_resources and creates_bucket and bucket.force_destroy:
        yield violation(
            ("storage", "artifactBucket", "forceDestroy"),
            "cannot force-destroy a bucket while protectStatefulResources is on",
            True,
        )


def _existing_cluster_problems(config: EnvironmentConfig) -> Iterator[Violation]:
    # Pools on an existing cluster describe nodes it already has (for placements); none is created.
    for name, pool in config.node_pools.items():
        if pool.provisioner == "karpenter":
            yield violation(("nodePools", name, "provisioner"), "Karpenter runs only on EKS", "karpenter")
    if config.components.karpenter.enabled:
        yield violation(("components", "karpenter", "enabled"), "Karpenter is installed only on EKS", True)
    if config.components.cluster_autoscaler.enabled:
        yield violation(
            ("components", "clusterAutoscaler", "enabled"),
            "the cluster autoscaler is installed only on EKS (it scales the stack's node groups)",
            True,
        )
    if config.storage.artifact_bucket.enabled is True:
        yield violation(
            ("storage", "artifactBucket", "enabled"),
            "the S3 artifact bucket is created only on EKS; set enabled: false",
            True,
        )


def _eks_problems(config: EnvironmentConfig) -> Iterator[Violation]:
    eks = config.cluster.eks
    if config.tier == "prod" and eks is not None and not eks.admin_role_arns:
        # The creator's bootstrap access goes with whoever ran the first `up`; prod names its admins.
        yield violation(
            ("cluster", "eks", "adminRoleArns"),
            "prod needs at least one cluster-admin IAM role (given access entries with "
            "AmazonEKSClusterAdminPolicy)",
        )
    managed_cpu = [
        name
        for name, pool in config.node_pools.items()
        if not pool.gpu and pool.provisioner == "managedNodeGroup" and pool.min_size >= 1
    ]
    if not managed_cpu:
        yield violation(
            "nodePools",
            "EKS needs a CPU managed node group with minSize >= 1 for system pods "
            "(CoreDNS, CSI controllers, Karpenter)",
        )
    karpenter_pools = [n for n, p in config.node_pools.items() if p.provisioner == "karpenter"]
    if karpenter_pools and not config.components.karpenter.enabled:
        for name in karpenter_pools:
            yield violation(
                ("nodePools", name, "provisioner"), "needs components.karpenter.enabled: true", "karpenter"
            )
    yield from _gpu_scaler_problems(config)


def _gpu_scaler_problems(config: EnvironmentConfig) -> Iterator[Violation]:
    """Every GPU pool needs what scales it from zero: Karpenter for Karpenter pools (checked above),
    the cluster autoscaler for managed node groups, at the cluster's Kubernetes minor."""
    autoscaler = config.components.cluster_autoscaler
    for name, pool in config.node_pools.items():
        if pool.gpu and pool.provisioner == "managedNodeGroup" and not autoscaler.enabled:
            yield violation(
                ("nodePools", name, "provisioner"),
                "a GPU node group scales from zero only with the cluster autoscaler: set "
                "components.clusterAutoscaler.enabled: true, or provisioner: karpenter",
                "managedNodeGroup",
            )
    release = RELEASE_SETS.get(config.components.release)
    if not autoscaler.enabled or release is None:  # an unknown release set is reported on its own
        return
    version = config.components.version_of("clusterAutoscaler")
    minor = config.cluster.kubernetes_version
    if not version.startswith(f"{minor}."):
        matching = [v for v in release.tested_versions("clusterAutoscaler") if v.startswith(f"{minor}.")]
        hint = f"set version: {matching[0]}" if matching else f"release {release.name} tests none for it"
        yield violation(
            ("components", "clusterAutoscaler", "version"),
            f"must match cluster.kubernetesVersion {minor} (the autoscaler follows its minor); {hint}",
            version,
        )
