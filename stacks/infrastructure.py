"""The infrastructure layer: cluster (EKS or existing), node pools, GPU support and storage,
composed from the validated config. Everything in-cluster uses the one explicit provider."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import pulumi
import pulumi_kubernetes as k8s

from modules.cluster import EksCluster, EksClusterArgs, ExistingCluster, ExistingClusterArgs
from modules.gpu import (
    DevicePluginArgs,
    NvidiaDevicePlugin,
    PoolPlacement,
    ami_type,
    node_labels,
    pool_placement,
)
from modules.network import Network, NetworkArgs, NetworkRefs
from modules.storage import (
    ArtifactBucket,
    ArtifactBucketArgs,
    EksStorage,
    EksStorageArgs,
    Volumes,
    VolumesArgs,
    VolumeSpec,
)
from stacks.config.cluster import EksClusterConfig
from stacks.config.environment import EnvironmentConfig
from stacks.config.node_pools import NodePoolConfig


@dataclass
class StorageOutputs:
    """Class names for claims, and the artifact bucket (EKS)."""

    rwo_class: str
    rwx_class: str | None
    artifact_bucket: pulumi.Output[str] | None = None


@dataclass
class Infrastructure:
    """What the platform layer needs: the provider, GPU placements per pool, storage."""

    provider: k8s.Provider
    placements: dict[str, PoolPlacement]
    storage: StorageOutputs
    cluster_name: pulumi.Input[str] | None = None
    ready: list[pulumi.Resource] = field(default_factory=list)
    """Resources in-cluster workloads should wait for (node groups, addons, storage classes)."""


def _taints(pool: NodePoolConfig) -> tuple[dict[str, Any], ...]:
    return tuple(t.model_dump(exclude_none=True) for t in pool.taints)


def build_infrastructure(environment: str, config: EnvironmentConfig) -> Infrastructure:
    """Create the cluster layer of `environment`: an existing cluster's provider, or EKS end to end."""
    if config.cluster.kind == "existing":
        return _existing(config)
    assert config.cluster.eks is not None  # guaranteed by the schema rules
    return _eks(environment, config, config.cluster.eks)


def _existing(config: EnvironmentConfig) -> Infrastructure:
    existing = config.cluster.existing
    assert existing is not None
    cluster = ExistingCluster("cluster", ExistingClusterArgs(existing.kubeconfig, existing.context))
    return Infrastructure(
        provider=cluster.provider,
        placements=_gpu_support(config, cluster.provider, depends_on=()),
        storage=StorageOutputs(existing.storage_class_rwo, existing.storage_class_rwx),
    )


def _gpu_support(
    config: EnvironmentConfig, provider: k8s.Provider, depends_on: tuple[pulumi.Resource, ...]
) -> dict[str, PoolPlacement]:
    """Placements of the GPU pools, and the device plugin when there is any GPU pool."""
    placements = {
        name: pool_placement(name, _taints(pool), pool.gpu)
        for name, pool in config.node_pools.items()
        if pool.gpu
    }
    plugin = config.components.nvidia_device_plugin
    if placements and plugin.enabled:
        NvidiaDevicePlugin(
            "nvidia-device-plugin",
            DevicePluginArgs(
                version=config.components.version_of("nvidiaDevicePlugin"),
                provider=provider,
                time_slicing_replicas=plugin.time_slicing_replicas,
                depends_on=depends_on,
            ),
        )
    return placements


def _network(eks: EksClusterConfig, cluster_name: str, aws_provider: pulumi.ProviderResource) -> NetworkRefs:
    if eks.vpc.id is not None:
        return NetworkRefs(
            eks.vpc.id, eks.vpc.cidr, list(eks.vpc.private_subnet_ids), list(eks.vpc.public_subnet_ids)
        )
    network = Network(
        "network",
        NetworkArgs(cluster_name, eks.vpc.cidr, tuple(eks.availability_zones), eks.vpc.nat_gateways),
        opts=pulumi.ResourceOptions(providers=[aws_provider]),
    )
    return network.refs


def _eks(environment: str, config: EnvironmentConfig, eks: EksClusterConfig) -> Infrastructure:
    import pulumi_aws as aws  # only EKS environments pay for importing the AWS SDK

    from modules.eks_addons import EksAddons, EksAddonsArgs
    from modules.node_group import ManagedNodeGroup, NodeGroupArgs

    protect = config.protect_stateful_resources
    cluster_name = eks.name or f"kfstack-{environment}"
    tags = {"kfstack.io/environment": environment, "kfstack.io/cluster": cluster_name}
    aws_provider = aws.Provider("aws", region=eks.region, default_tags=aws.ProviderDefaultTagsArgs(tags=tags))
    network = _network(eks, cluster_name, aws_provider)
    encryption = eks.secrets_encryption
    cluster = EksCluster(
        "eks",
        EksClusterArgs(
            cluster_name=cluster_name,
            kubernetes_version=config.cluster.kubernetes_version,
            region=eks.region,
            network=network,
            aws_provider=aws_provider,
            endpoint_private_access=eks.endpoint_private_access,
            endpoint_public_access=eks.endpoint_public_access,
            public_access_cidrs=tuple(eks.public_access_cidrs),
            encrypt_secrets=encryption.enabled,
            kms_key_arn=encryption.kms_key_arn if encryption.enabled else None,
            log_types=tuple(eks.control_plane_log_types),
            log_retention_days=eks.log_retention_days,
            admin_role_arns=tuple(eks.admin_role_arns),
            bootstrap_creator_admin=eks.bootstrap_creator_admin,
            protect=protect,
        ),
    )
    provider = cluster.provider
    node_groups: list[pulumi.Resource] = []
    for name, pool in config.node_pools.items():
        if pool.provisioner != "managedNodeGroup":
            continue
        node_groups.append(
            ManagedNodeGroup(
                name,
                NodeGroupArgs(
                    cluster_name=cluster.cluster.name,
                    node_role_arn=cluster.node_role.role.arn,
                    subnet_ids=network.private_subnet_ids,
                    instance_types=tuple(pool.instance_types),
                    ami_type=ami_type(pool.gpu, pool.architecture),
                    aws_provider=aws_provider,
                    min_size=pool.min_size,
                    desired_size=pool.desired_size,
                    max_size=pool.max_size,
                    disk_size_gib=pool.disk_size_gib,
                    capacity_type=pool.capacity_type,
                    labels=node_labels(name, pool.labels, pool.gpu),
                    taints=_taints(pool),
                    depends_on=cluster.node_role.attachments,
                ),
            )
        )
    addons = EksAddons(
        "addons",
        EksAddonsArgs(
            cluster_name=cluster.cluster.name,
            addons=eks.installed_addons(),
            oidc_provider_arn=cluster.oidc_provider.arn,
            oidc_issuer=cluster.oidc_issuer,
            aws_provider=aws_provider,
            depends_on=node_groups,
        ),
    )
    ready: list[pulumi.Resource] = [*node_groups, addons]
    _karpenter_pools(config, cluster, network, aws_provider, ready)
    placements = _gpu_support(config, provider, depends_on=(addons,))
    storage_cfg = config.storage
    storage = EksStorage(
        "storage",
        EksStorageArgs(
            vpc_id=network.vpc_id,
            vpc_cidr=network.cidr,
            subnet_ids=network.private_subnet_ids,
            aws_provider=aws_provider,
            provider=provider,
            ebs_class=storage_cfg.ebs.name,
            ebs_default=storage_cfg.ebs.default,
            ebs_reclaim_policy=storage_cfg.ebs.reclaim_policy,
            efs_class=storage_cfg.efs.class_name,
            efs_throughput_mode=storage_cfg.efs.throughput_mode,
            efs_directory_perms=storage_cfg.efs.directory_perms,
            efs_reclaim_policy=storage_cfg.efs.reclaim_policy,
            protect=protect,
            depends_on=(addons,),
        ),
    )
    ready.append(storage)
    bucket_name: pulumi.Output[str] | None = None
    if storage_cfg.artifact_bucket.enabled is not False:
        bucket_cfg = storage_cfg.artifact_bucket
        bucket = ArtifactBucket(
            "artifacts",
            ArtifactBucketArgs(
                aws_provider=aws_provider,
                encryption=bucket_cfg.encryption,
                force_destroy=bucket_cfg.force_destroy,
                noncurrent_version_expiration_days=bucket_cfg.noncurrent_version_expiration_days,
                protect=protect,
            ),
        )
        bucket_name = bucket.bucket.bucket
        pulumi.export("artifactBucket", bucket_name)
    pulumi.export("clusterName", cluster.cluster.name)
    pulumi.export("clusterEndpoint", cluster.cluster.endpoint)
    return Infrastructure(
        provider=provider,
        placements=placements,
        storage=StorageOutputs(storage.rwo_class, storage.rwx_class, bucket_name),
        cluster_name=cluster.cluster.name,
        ready=ready,
    )


def _karpenter_pools(
    config: EnvironmentConfig,
    cluster: EksCluster,
    network: NetworkRefs,
    aws_provider: pulumi.ProviderResource,
    ready: list[pulumi.Resource],
) -> None:
    pools = {name: pool for name, pool in config.node_pools.items() if pool.provisioner == "karpenter"}
    if not pools:
        return
    from modules.karpenter import Karpenter, KarpenterArgs, KarpenterNodePool, KarpenterPoolArgs

    karpenter = Karpenter(
        "karpenter",
        KarpenterArgs(
            version=config.components.version_of("karpenter"),
            cluster_name=cluster.cluster.name,
            cluster_arn=cluster.cluster.arn,
            cluster_endpoint=cluster.cluster.endpoint,
            oidc_provider_arn=cluster.oidc_provider.arn,
            oidc_issuer=cluster.oidc_issuer,
            aws_provider=aws_provider,
            provider=cluster.provider,
            depends_on=tuple(ready),
        ),
    )
    for name, pool in pools.items():
        gpus = pool.gpus_per_node()
        limits = {"nvidia.com/gpu": str(pool.max_size * gpus)} if pool.gpu else {"nodes": str(pool.max_size)}
        ready.append(
            KarpenterNodePool(
                name,
                KarpenterPoolArgs(
                    instance_types=tuple(pool.instance_types),
                    capacity_type=pool.capacity_type,
                    architecture=pool.architecture,
                    disk_size_gib=pool.disk_size_gib,
                    labels=node_labels(name, pool.labels, pool.gpu),
                    taints=_taints(pool),
                    limits=limits,
                    node_role_name=karpenter.node_role.name,
                    subnet_ids=network.private_subnet_ids,
                    security_group_ids=[cluster.cluster_security_group_id],
                    karpenter=karpenter.release,
                    provider=cluster.provider,
                ),
            )
        )


def volume_class(access_mode: str, storage: StorageOutputs) -> tuple[str, str]:
    """(access mode, class) for a volume: RWX falls back to RWO where the cluster has no RWX class."""
    if access_mode == "ReadWriteMany" and storage.rwx_class is not None:
        return access_mode, storage.rwx_class
    return "ReadWriteOnce", storage.rwo_class


def attach_volumes(
    config: EnvironmentConfig, infrastructure: Infrastructure, namespaces: Mapping[str, pulumi.Resource]
) -> Volumes | None:
    """Create the pipelines' claims once their namespace exists; None when no volumes are configured."""
    volumes_cfg = config.storage.volumes
    if not volumes_cfg:
        return None
    specs = []
    waits: list[pulumi.Resource] = list(infrastructure.ready)
    for name, volume in volumes_cfg.items():
        namespace = volume.namespace or config.pipelines.namespace
        if namespace in namespaces:
            waits.append(namespaces[namespace])
        access_mode, storage_class = volume_class(volume.access_mode, infrastructure.storage)
        if access_mode != volume.access_mode:
            pulumi.log.warn(
                f"storage.volumes.{name}: the cluster has no ReadWriteMany class "
                "(cluster.existing.storageClassRwx); using ReadWriteOnce, shared only by pods on one node"
            )
        specs.append(VolumeSpec(name, namespace, volume.size, access_mode, storage_class))
    return Volumes(
        "volumes",
        VolumesArgs(
            tuple(specs),
            infrastructure.provider,
            protect=config.protect_stateful_resources,
            depends_on=tuple(dict.fromkeys(waits)),
        ),
    )
