"""The infrastructure layer in the shipped environments' plans: what is created, with which inputs,
on which provider, and what is protected."""

from __future__ import annotations

import kubernetes_validate
import pytest

from kfstack.plan.build import plan_config
from kfstack.plan.kubernetes_objects import api_group_version_kind
from stacks.config.loader import load_environment, parse_environment, read_stack_file
from stacks.infrastructure import Infrastructure, StorageOutputs, build_infrastructure, volume_class

ENVIRONMENTS = ("local", "dev", "staging", "prod")
EKS_ENVIRONMENTS = ("dev", "staging", "prod")
CUSTOM_GROUPS = {"karpenter.sh", "karpenter.k8s.aws"}
K8S_PROVIDER = {"local": "cluster-k8s", "dev": "eks-k8s", "staging": "eks-k8s", "prod": "eks-k8s"}


@pytest.mark.parametrize("environment", ENVIRONMENTS)
def test_plan_passes_every_check(plan, environment: str) -> None:
    result = plan(environment)
    assert [p.render() for p in result.problems] == []


@pytest.mark.parametrize("environment", ENVIRONMENTS)
def test_every_builtin_kubernetes_object_validates_against_the_configured_version(
    plan, environment: str
) -> None:
    result = plan(environment)
    version = result.config.cluster.kubernetes_version
    objects = result.kubernetes_objects()
    assert objects
    for resource, obj in objects:
        if api_group_version_kind(resource)[0] in CUSTOM_GROUPS:
            continue  # custom resources are checked against their CRD schemas by the plan
        kubernetes_validate.validate(obj, version, strict=True)


@pytest.mark.parametrize("environment", ENVIRONMENTS)
def test_every_in_cluster_resource_uses_the_one_explicit_provider(plan, environment: str) -> None:
    result = plan(environment)
    (provider,) = result.find("pulumi:providers:kubernetes")
    assert provider.name == K8S_PROVIDER[environment]
    in_cluster = [r for r in result.resources if r.type.startswith("kubernetes:")]
    assert in_cluster
    for resource in in_cluster:
        assert resource.provider == provider.urn, resource.name


@pytest.mark.parametrize("environment", EKS_ENVIRONMENTS)
def test_every_aws_resource_uses_the_explicit_aws_provider(plan, environment: str) -> None:
    result = plan(environment)
    (provider,) = result.find("pulumi:providers:aws")
    assert result.config.cluster.eks is not None
    assert provider.inputs["region"] == result.config.cluster.eks.region
    for resource in result.resources:
        if resource.type.startswith("aws:"):
            assert resource.provider == provider.urn, resource.name


def test_local_plan_has_only_in_cluster_resources_on_the_existing_cluster(plan) -> None:
    result = plan("local")
    assert not [r.type for r in result.resources if r.type.startswith("aws:") or "providers:aws" in r.type]
    provider = result.find("pulumi:providers:kubernetes")[0]
    assert provider.inputs["context"] == "kind-kfstack"
    claims = {c.name: c.inputs for c in result.find("kubernetes:core/v1:PersistentVolumeClaim")}
    assert set(claims) == {"pvc-data", "pvc-models"}
    assert claims["pvc-data"]["spec"]["storageClassName"] == "standard"
    assert claims["pvc-data"]["spec"]["accessModes"] == ["ReadWriteOnce"]
    assert result.find("kubernetes:storage.k8s.io/v1:StorageClass") == []


@pytest.mark.parametrize("environment", ["dev", "prod"])
def test_eks_plan_shows_network_cluster_node_groups_and_storage(plan, environment: str) -> None:
    result = plan(environment)
    config = result.config
    assert config.cluster.eks is not None
    (vpc,) = result.find("aws:ec2/vpc:Vpc")
    assert vpc.inputs["cidrBlock"] == config.cluster.eks.vpc.cidr
    zones = config.cluster.eks.availability_zones
    subnets = result.find("aws:ec2/subnet:Subnet")
    assert {s.inputs["availabilityZone"] for s in subnets} == set(zones) and len(subnets) == 2 * len(zones)

    (cluster,) = result.find("aws:eks/cluster:Cluster")
    assert cluster.inputs["name"] == f"kfstack-{environment}"
    assert cluster.inputs["version"] == config.cluster.kubernetes_version
    assert cluster.inputs["encryptionConfig"]["resources"] == ["secrets"]
    assert cluster.inputs["enabledClusterLogTypes"] == list(config.cluster.eks.control_plane_log_types)
    assert cluster.inputs["vpcConfig"]["endpointPublicAccess"] is config.cluster.eks.endpoint_public_access

    groups = {g.name: g.inputs for g in result.find("aws:eks/nodeGroup:NodeGroup")}
    assert set(groups) == {"system", "gpu-a10g"}
    gpu = groups["gpu-a10g"]
    assert gpu["amiType"] == "AL2023_x86_64_NVIDIA"
    assert gpu["taints"] == [{"key": "nvidia.com/gpu", "effect": "NO_SCHEDULE"}]
    assert gpu["labels"]["nvidia.com/gpu.present"] == "true"
    assert gpu["scalingConfig"]["minSize"] == 0
    assert gpu["scalingConfig"]["maxSize"] == config.node_pools["gpu-a10g"].max_size
    assert groups["system"]["amiType"] == "AL2023_x86_64_STANDARD"
    assert "taints" not in groups["system"]
    templates = result.find("aws:ec2/launchTemplate:LaunchTemplate")
    assert {t.name for t in templates} == {"system", "gpu-a10g"}
    assert all(t.inputs["metadataOptions"]["httpTokens"] == "required" for t in templates)

    addons = {a.inputs["addonName"] for a in result.find("aws:eks/addon:Addon")}
    assert {"vpc-cni", "coredns", "kube-proxy", "aws-ebs-csi-driver", "aws-efs-csi-driver"} <= addons
    assert result.find("aws:iam/openIdConnectProvider:OpenIdConnectProvider")

    (release,) = [r for r in result.find("kubernetes:helm.sh/v3:Release") if r.name == "nvidia-device-plugin"]
    assert release.inputs["chart"] == "nvidia-device-plugin"
    assert release.inputs["version"] == config.components.version_of("nvidiaDevicePlugin")
    assert release.inputs["values"]["nodeSelector"] == {"nvidia.com/gpu.present": "true"}

    classes = {c.name: c.inputs for c in result.find("kubernetes:storage.k8s.io/v1:StorageClass")}
    assert classes["gp3"]["provisioner"] == "ebs.csi.aws.com"
    assert classes["gp3"]["volumeBindingMode"] == "WaitForFirstConsumer"
    assert classes["gp3"]["metadata"]["annotations"] == {
        "storageclass.kubernetes.io/is-default-class": "true"
    }
    assert classes["efs"]["provisioner"] == "efs.csi.aws.com"
    (fs,) = result.find("aws:efs/fileSystem:FileSystem")
    assert fs.inputs["encrypted"] is True
    assert len(result.find("aws:efs/mountTarget:MountTarget")) == len(zones)

    claims = {c.name: c.inputs for c in result.find("kubernetes:core/v1:PersistentVolumeClaim")}
    for name, volume in config.storage.volumes.items():
        spec = claims[f"pvc-{name}"]["spec"]
        assert spec["accessModes"] == ["ReadWriteMany"]
        assert spec["storageClassName"] == "efs"
        assert spec["resources"]["requests"]["storage"] == volume.size
        assert claims[f"pvc-{name}"]["metadata"]["namespace"] == config.pipelines.namespace

    (bucket,) = result.find("aws:s3/bucket:Bucket")
    assert bucket.inputs["forceDestroy"] is config.storage.artifact_bucket.force_destroy
    assert result.find("aws:s3/bucketVersioning:BucketVersioning")
    assert result.find("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock")
    assert result.find(
        "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration"
    )


def test_prod_protects_and_retains_its_stateful_resources(plan) -> None:
    result = plan("prod")
    stateful = [
        *result.find("aws:eks/cluster:Cluster"),
        *result.find("aws:kms/key:Key"),
        *result.find("aws:efs/fileSystem:FileSystem"),
        *result.find("aws:s3/bucket:Bucket"),
        *result.find("kubernetes:core/v1:PersistentVolumeClaim"),
    ]
    assert len(stateful) == 6
    for resource in stateful:
        assert resource.protect and resource.retain_on_delete, resource.name
    assert result.find("aws:eks/cluster:Cluster")[0].inputs["deletionProtection"] is True


def test_dev_protects_nothing(plan) -> None:
    assert [r.name for r in plan("dev").resources if r.protect or r.retain_on_delete] == []


def test_nat_policy_per_environment(plan) -> None:
    assert len(plan("prod").find("aws:ec2/natGateway:NatGateway")) == 3
    assert len(plan("dev").find("aws:ec2/natGateway:NatGateway")) == 1


def test_dev_time_slices_its_gpus(plan) -> None:
    (release,) = [
        r for r in plan("dev").find("kubernetes:helm.sh/v3:Release") if r.name == "nvidia-device-plugin"
    ]
    assert "replicas: 4" in release.inputs["values"]["config"]["map"]["default"]


def test_staging_provisions_its_gpu_pool_with_karpenter(plan) -> None:
    result = plan("staging")
    assert {g.name for g in result.find("aws:eks/nodeGroup:NodeGroup")} == {"system"}
    (release,) = [r for r in result.find("kubernetes:helm.sh/v3:Release") if r.name == "karpenter"]
    assert release.inputs["version"] == result.config.components.version_of("karpenter")
    (node_pool,) = result.find("kubernetes:karpenter.sh/v1:NodePool")
    (node_class,) = result.find("kubernetes:karpenter.k8s.aws/v1:EC2NodeClass")
    for custom in (node_pool, node_class):
        assert release.urn in custom.dependencies
    spec = node_pool.inputs["spec"]
    assert spec["limits"] == {"nvidia.com/gpu": "4"}
    assert spec["template"]["spec"]["taints"] == [{"key": "nvidia.com/gpu", "effect": "NoSchedule"}]
    assert spec["template"]["metadata"]["labels"]["nvidia.com/gpu.present"] == "true"
    assert len(node_class.inputs["spec"]["subnetSelectorTerms"]) == 3


def test_claims_wait_for_their_namespace(plan) -> None:
    result = plan("prod")
    (namespace,) = [n for n in result.find("kubernetes:core/v1:Namespace") if n.name == "ns-kubeflow-user"]
    for claim in result.find("kubernetes:core/v1:PersistentVolumeClaim"):
        assert namespace.urn in claim.dependencies


def test_plans_are_deterministic() -> None:
    environment, config = load_environment("prod")
    assert plan_config(environment, config).json_text() == plan_config(environment, config).json_text()


def _infrastructure(record, environment: str, values: dict | None = None) -> Infrastructure:
    if values is None:
        _, config = load_environment(environment)
    else:
        config = parse_environment(values)
    captured: list[Infrastructure] = []
    record(lambda: captured.append(build_infrastructure(environment, config)), stack=environment)
    return captured[0]


@pytest.mark.parametrize("environment", ["dev", "staging"])
def test_gpu_pools_expose_their_placement(record, environment: str) -> None:
    placement = _infrastructure(record, environment).placements["gpu-a10g"]
    assert placement.tolerations == ({"key": "nvidia.com/gpu", "operator": "Exists", "effect": "NoSchedule"},)
    assert placement.node_selector == {"kfstack.io/pool": "gpu-a10g", "nvidia.com/gpu.present": "true"}


def test_existing_cluster_gpu_pools_give_placements_and_the_device_plugin(record) -> None:
    from stacks.config.loader import ENVIRONMENTS_DIR

    values = read_stack_file(ENVIRONMENTS_DIR / "Pulumi.local.yaml").values
    values["nodePools"] = {
        "gpu": {"gpu": True, "instanceTypes": ["g4dn.xlarge"], "taints": [{"key": "nvidia.com/gpu"}]}
    }
    infrastructure = _infrastructure(record, "local", values)
    assert infrastructure.placements["gpu"].node_selector["nvidia.com/gpu.present"] == "true"
    assert infrastructure.storage == StorageOutputs("standard", None)


def test_rwx_volume_falls_back_to_rwo_without_an_rwx_class() -> None:
    assert volume_class("ReadWriteMany", StorageOutputs("standard", None)) == ("ReadWriteOnce", "standard")
    assert volume_class("ReadWriteMany", StorageOutputs("gp3", "efs")) == ("ReadWriteMany", "efs")
    assert volume_class("ReadWriteOnce", StorageOutputs("gp3", "efs")) == ("ReadWriteOnce", "gp3")


def test_rwx_volume_on_a_cluster_without_rwx_class_is_planned_as_rwo() -> None:
    from stacks.config.loader import ENVIRONMENTS_DIR

    values = read_stack_file(ENVIRONMENTS_DIR / "Pulumi.local.yaml").values
    values["storage"]["volumes"]["data"]["accessMode"] = "ReadWriteMany"
    result = plan_config("local", parse_environment(values))
    (claim,) = [c for c in result.find("kubernetes:core/v1:PersistentVolumeClaim") if c.name == "pvc-data"]
    assert claim.inputs["spec"]["accessModes"] == ["ReadWriteOnce"]
    assert claim.inputs["spec"]["storageClassName"] == "standard"
    assert result.problems == []
