"""The EKS control plane under the mock runtime: inputs, IRSA, the provider, protection."""

from __future__ import annotations

import json

import pulumi
import pulumi_aws as aws
import pytest

from modules.eks_cluster import EksCluster, EksClusterArgs


def _args(**overrides: object) -> EksClusterArgs:
    values: dict = dict(
        cluster_name="kfstack-test",
        kubernetes_version="1.34",
        region="us-west-2",
        subnet_ids=["subnet-a", "subnet-b"],
        endpoint_private_access=True,
        endpoint_public_access=True,
        public_access_cidrs=("203.0.113.0/24",),
        encrypt_secrets=True,
        kms_key_arn=None,
        log_types=("api", "audit"),
        log_retention_days=30,
        bootstrap_creator_admin=True,
        deletion_protection=False,
    )
    values.update(overrides)
    return EksClusterArgs(**values)


def _eks(args: EksClusterArgs | None = None, protect: bool = False) -> None:
    provider = aws.Provider("aws", region="us-west-2")
    EksCluster(
        "eks",
        args or _args(),
        opts=pulumi.ResourceOptions(providers=[provider], protect=protect, retain_on_delete=protect),
    )


def test_eks_cluster_inputs(record) -> None:
    rec = record(_eks)
    cluster = rec.one("aws:eks/cluster:Cluster", "eks")
    inputs = cluster.inputs
    assert inputs["name"] == "kfstack-test"
    assert inputs["version"] == "1.34"
    assert inputs["vpcConfig"]["subnetIds"] == ["subnet-a", "subnet-b"]
    assert inputs["vpcConfig"]["endpointPrivateAccess"] is True
    assert inputs["vpcConfig"]["publicAccessCidrs"] == ["203.0.113.0/24"]
    assert inputs["enabledClusterLogTypes"] == ["api", "audit"]
    assert inputs["accessConfig"] == {"authenticationMode": "API", "bootstrapClusterCreatorAdminPermissions": True}
    assert inputs["deletionProtection"] is False
    key = rec.one("aws:kms/key:Key", "eks-secrets")
    assert key.inputs["enableKeyRotation"] is True
    assert inputs["encryptionConfig"]["resources"] == ["secrets"]
    assert inputs["encryptionConfig"]["provider"]["keyArn"].startswith("arn:aws:kms:")
    assert key.urn in cluster.dependencies
    log_group = rec.one("aws:cloudwatch/logGroup:LogGroup")
    assert log_group.inputs == {"name": "/aws/eks/kfstack-test/cluster", "retentionInDays": 30}
    assert log_group.urn in cluster.dependencies
    role = rec.one("aws:iam/role:Role", "eks-cluster")
    trust = json.loads(role.inputs["assumeRolePolicy"])
    assert trust["Statement"][0]["Principal"]["Service"] == "eks.amazonaws.com"
    attachment = rec.one("aws:iam/rolePolicyAttachment:RolePolicyAttachment", "eks-cluster-AmazonEKSClusterPolicy")
    assert attachment.urn in cluster.dependencies


def test_private_only_endpoint_sends_no_public_cidrs(record) -> None:
    rec = record(lambda: _eks(_args(endpoint_public_access=False)))
    vpc_config = rec.one("aws:eks/cluster:Cluster").inputs["vpcConfig"]
    assert vpc_config["endpointPublicAccess"] is False
    assert "publicAccessCidrs" not in vpc_config


def test_eks_oidc_provider_uses_the_cluster_issuer(record) -> None:
    rec = record(_eks)
    oidc = rec.one("aws:iam/openIdConnectProvider:OpenIdConnectProvider")
    assert oidc.inputs["url"].startswith("https://oidc.eks.")
    assert oidc.inputs["clientIdLists"] == ["sts.amazonaws.com"]


def test_eks_provider_is_built_from_cluster_outputs(record) -> None:
    rec = record(_eks)
    provider = rec.one("pulumi:providers:kubernetes", "eks-k8s")
    config = json.loads(provider.inputs["kubeconfig"])
    assert config["clusters"][0]["cluster"]["server"].startswith("https://")
    assert config["clusters"][0]["cluster"]["certificate-authority-data"]
    assert rec.one("aws:eks/cluster:Cluster").urn in provider.dependencies


def test_node_role_carries_the_worker_policies(record) -> None:
    rec = record(_eks)
    names = {r.name for r in rec.find("aws:iam/rolePolicyAttachment:RolePolicyAttachment")}
    assert {"eks-node-AmazonEKSWorkerNodePolicy", "eks-node-AmazonEKS_CNI_Policy"} <= names


def test_protecting_the_component_protects_and_retains_all_of_it(record) -> None:
    rec = record(lambda: _eks(_args(deletion_protection=True), protect=True))
    component = rec.one("kfstack:cluster:EksCluster")
    for resource in rec.children_of(component):
        assert resource.protect and resource.retain_on_delete, resource.name
    assert rec.one("aws:eks/cluster:Cluster").inputs["deletionProtection"] is True
    unprotected = record(_eks)
    assert not any(r.protect for r in unprotected.resources)


def test_existing_kms_key_is_used_instead_of_creating_one(record) -> None:
    arn = "arn:aws:kms:us-west-2:123456789012:key/abc"
    rec = record(lambda: _eks(_args(kms_key_arn=arn)))
    assert rec.find("aws:kms/key:Key") == []
    assert rec.one("aws:eks/cluster:Cluster").inputs["encryptionConfig"]["provider"]["keyArn"] == arn


@pytest.mark.parametrize("existing", [None, "arn:aws:kms:us-west-2:123456789012:key/abc"])
def test_the_cluster_role_may_use_the_secrets_key_before_the_cluster_exists(record, existing) -> None:
    rec = record(lambda: _eks(_args(kms_key_arn=existing)))
    policy = rec.one("aws:iam/rolePolicy:RolePolicy", "eks-cluster-encryption")
    (statement,) = json.loads(policy.inputs["policy"])["Statement"]
    assert statement["Effect"] == "Allow"
    assert statement["Action"] == ["kms:Encrypt", "kms:Decrypt", "kms:ListGrants", "kms:DescribeKey"]
    if existing:
        assert statement["Resource"] == existing
    else:
        assert statement["Resource"].startswith("arn:aws:kms:us-west-2:123456789012:key/")
    assert policy.inputs["role"].startswith("eks-cluster-")  # the cluster role's (mocked) autoname
    assert policy.urn in rec.one("aws:eks/cluster:Cluster").dependencies


def test_without_secrets_encryption_there_is_no_key_and_no_encryption_config(record) -> None:
    rec = record(lambda: _eks(_args(encrypt_secrets=False)))
    assert rec.find("aws:kms/key:Key") == []
    assert rec.find("aws:iam/rolePolicy:RolePolicy") == []
    assert "encryptionConfig" not in rec.one("aws:eks/cluster:Cluster").inputs


def test_every_aws_resource_uses_the_explicit_provider(record) -> None:
    rec = record(_eks)
    provider = rec.one("pulumi:providers:aws", "aws")
    for resource in rec.resources:
        if resource.type.startswith("aws:"):
            assert resource.provider == provider.urn, resource.name
