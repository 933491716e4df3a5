"""Cluster module: existing-cluster provider, and the EKS control plane under the mock runtime."""

from __future__ import annotations

import json
import os

import pulumi_aws as aws

from modules.cluster import (
    CLUSTER_ADMIN_POLICY,
    EksCluster,
    EksClusterArgs,
    ExistingCluster,
    ExistingClusterArgs,
    admin_access_names,
    kubeconfig,
)
from modules.eks_addons import EksAddons, EksAddonsArgs
from modules.eks_iam import irsa_trust_policy, service_trust_policy
from modules.network import NetworkRefs

ADMIN = "arn:aws:iam::123456789012:role/platform-admins"


def test_existing_cluster_provider_names_the_kubeconfig_and_context(record) -> None:
    rec = record(lambda: ExistingCluster("cluster", ExistingClusterArgs("~/.kube/config", "kind-kfstack")))
    provider = rec.one("pulumi:providers:kubernetes", "cluster-k8s")
    assert provider.inputs["context"] == "kind-kfstack"
    assert provider.inputs["kubeconfig"] == os.path.expanduser("~/.kube/config")


def test_kubeconfig_authenticates_with_aws_eks_get_token_and_holds_no_credential() -> None:
    config = json.loads(kubeconfig("kfstack-dev", "https://example.eks", "Q0E=", "us-west-2"))
    assert config["clusters"][0]["cluster"] == {
        "server": "https://example.eks",
        "certificate-authority-data": "Q0E=",
    }
    user = config["users"][0]["user"]
    assert set(user) == {"exec"}
    assert user["exec"]["command"] == "aws"
    assert user["exec"]["args"] == [
        "eks",
        "get-token",
        "--cluster-name",
        "kfstack-dev",
        "--region",
        "us-west-2",
    ]
    assert config["current-context"] == "kfstack-dev"


def test_trust_policies() -> None:
    assert json.loads(service_trust_policy("eks.amazonaws.com"))["Statement"][0]["Principal"] == {
        "Service": "eks.amazonaws.com"
    }
    policy = json.loads(irsa_trust_policy("arn:oidc", "https://oidc.example/id/X", "kube-system", "sa"))
    condition = policy["Statement"][0]["Condition"]["StringEquals"]
    assert condition == {
        "oidc.example/id/X:sub": "system:serviceaccount:kube-system:sa",
        "oidc.example/id/X:aud": "sts.amazonaws.com",
    }


def test_admin_access_names_are_stable() -> None:
    assert admin_access_names([ADMIN]) == {ADMIN: "admin-platform-admins"}


def _eks(protect: bool = False, kms_key_arn: str | None = None) -> None:
    provider = aws.Provider("aws", region="us-west-2")
    network = NetworkRefs("vpc-1", "10.0.0.0/16", ["subnet-a", "subnet-b"], ["subnet-c", "subnet-d"])
    cluster = EksCluster(
        "eks",
        EksClusterArgs(
            cluster_name="kfstack-test",
            kubernetes_version="1.34",
            region="us-west-2",
            network=network,
            aws_provider=provider,
            endpoint_public_access=True,
            public_access_cidrs=("203.0.113.0/24",),
            kms_key_arn=kms_key_arn,
            log_types=("api", "audit"),
            admin_role_arns=(ADMIN,),
            protect=protect,
        ),
    )
    EksAddons(
        "addons",
        EksAddonsArgs(
            cluster_name=cluster.cluster.name,
            addons={"vpc-cni": "v1.20.1-eksbuild.1", "aws-ebs-csi-driver": None},
            oidc_provider_arn=cluster.oidc_provider.arn,
            oidc_issuer=cluster.oidc_issuer,
            aws_provider=provider,
        ),
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
    assert inputs["accessConfig"] == {
        "authenticationMode": "API",
        "bootstrapClusterCreatorAdminPermissions": True,
    }
    key = rec.one("aws:kms/key:Key", "eks-secrets")
    assert key.inputs["enableKeyRotation"] is True
    assert inputs["encryptionConfig"]["resources"] == ["secrets"]
    assert inputs["encryptionConfig"]["provider"]["keyArn"].startswith("arn:aws:kms:")
    assert key.urn in cluster.dependencies
    log_group = rec.one("aws:cloudwatch/logGroup:LogGroup")
    assert log_group.inputs["name"] == "/aws/eks/kfstack-test/cluster"
    assert log_group.urn in cluster.dependencies
    role = rec.one("aws:iam/role:Role", "eks-cluster")
    assert (
        json.loads(role.inputs["assumeRolePolicy"])["Statement"][0]["Principal"]["Service"]
        == "eks.amazonaws.com"
    )
    attachment = rec.one(
        "aws:iam/rolePolicyAttachment:RolePolicyAttachment", "eks-cluster-AmazonEKSClusterPolicy"
    )
    assert attachment.urn in cluster.dependencies


def test_eks_oidc_provider_uses_the_cluster_issuer(record) -> None:
    rec = record(_eks)
    oidc = rec.one("aws:iam/openIdConnectProvider:OpenIdConnectProvider")
    assert oidc.inputs["url"].startswith("https://oidc.eks.")
    assert oidc.inputs["clientIdLists"] == ["sts.amazonaws.com"]


def test_admin_roles_get_access_entries_with_the_cluster_admin_policy(record) -> None:
    rec = record(_eks)
    entry = rec.one("aws:eks/accessEntry:AccessEntry", "admin-platform-admins")
    assert entry.inputs["principalArn"] == ADMIN
    association = rec.one("aws:eks/accessPolicyAssociation:AccessPolicyAssociation", "admin-platform-admins")
    assert association.inputs["policyArn"] == CLUSTER_ADMIN_POLICY
    assert association.inputs["accessScope"] == {"type": "cluster"}


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


def test_csi_addons_get_irsa_roles_and_pinned_versions(record) -> None:
    rec = record(_eks)
    vpc_cni = rec.one("aws:eks/addon:Addon", "vpc-cni")
    assert vpc_cni.inputs["addonVersion"] == "v1.20.1-eksbuild.1"
    assert "serviceAccountRoleArn" not in vpc_cni.inputs
    ebs = rec.one("aws:eks/addon:Addon", "aws-ebs-csi-driver")
    assert "addonVersion" not in ebs.inputs  # EKS default for the cluster version
    role = rec.one("aws:iam/role:Role", "aws-ebs-csi-driver")
    assert ebs.inputs["serviceAccountRoleArn"].split(":role/")[1].startswith("aws-ebs-csi-driver")
    assert role.urn in ebs.dependencies
    trust = json.loads(role.inputs["assumeRolePolicy"])["Statement"][0]
    assert trust["Action"] == "sts:AssumeRoleWithWebIdentity"
    assert "system:serviceaccount:kube-system:ebs-csi-controller-sa" in json.dumps(trust)


def test_protected_cluster_and_key_are_retained(record) -> None:
    rec = record(lambda: _eks(protect=True))
    for type_ in ("aws:eks/cluster:Cluster", "aws:kms/key:Key"):
        resource = rec.one(type_)
        assert resource.protect and resource.retain_on_delete, type_
    assert rec.one("aws:eks/cluster:Cluster").inputs["deletionProtection"] is True
    unprotected = record(_eks)
    assert not unprotected.one("aws:eks/cluster:Cluster").protect


def test_existing_kms_key_is_used_instead_of_creating_one(record) -> None:
    arn = "arn:aws:kms:us-west-2:123456789012:key/abc"
    rec = record(lambda: _eks(kms_key_arn=arn))
    assert rec.find("aws:kms/key:Key") == []
    assert rec.one("aws:eks/cluster:Cluster").inputs["encryptionConfig"]["provider"]["keyArn"] == arn


def test_every_aws_resource_uses_the_explicit_provider(record) -> None:
    rec = record(_eks)
    provider = rec.one("pulumi:providers:aws", "aws")
    for resource in rec.resources:
        if resource.type.startswith("aws:"):
            assert resource.provider == provider.urn, resource.name
