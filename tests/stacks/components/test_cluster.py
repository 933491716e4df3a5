"""The cluster builder: the existing cluster's provider, or EKS (protected in prod) with admin access."""

from __future__ import annotations

import pytest

K8S_PROVIDER = {"local": "cluster-k8s", "dev": "eks-k8s", "staging": "eks-k8s", "prod": "eks-k8s"}


@pytest.mark.parametrize("environment", ["local", "dev", "staging", "prod"])
def test_every_in_cluster_resource_uses_the_one_explicit_provider(plan, environment: str) -> None:
    result = plan(environment)
    (provider,) = result.find("pulumi:providers:kubernetes")
    assert provider.name == K8S_PROVIDER[environment]
    # components (the kustomize Directory) have no provider of their own; their objects do
    in_cluster = [r for r in result.resources if r.type.startswith("kubernetes:") and r.custom]
    assert in_cluster
    for resource in in_cluster:
        assert resource.provider == provider.urn, resource.name


def test_local_uses_the_named_context(plan) -> None:
    (provider,) = plan("local").find("pulumi:providers:kubernetes")
    assert provider.inputs["context"] == "kind-kfstack"
    assert plan("local").find("aws:eks/cluster:Cluster") == []


@pytest.mark.parametrize("environment", ["dev", "prod"])
def test_eks_cluster_follows_its_config(plan, environment: str) -> None:
    result = plan(environment)
    eks = result.config.cluster.eks
    assert eks is not None
    (cluster,) = result.find("aws:eks/cluster:Cluster")
    assert cluster.inputs["name"] == f"kfstack-{environment}"
    assert cluster.inputs["version"] == result.config.cluster.kubernetes_version
    assert cluster.inputs["encryptionConfig"]["resources"] == ["secrets"]
    assert cluster.inputs["enabledClusterLogTypes"] == list(eks.control_plane_log_types)
    assert cluster.inputs["vpcConfig"]["endpointPublicAccess"] is eks.endpoint_public_access
    assert result.find("aws:iam/openIdConnectProvider:OpenIdConnectProvider")


def test_prod_protects_and_retains_the_whole_cluster_component(plan) -> None:
    result = plan("prod")
    (component,) = result.find("kfstack:cluster:EksCluster")
    children = [r for r in result.resources if r.parent == component.urn]
    assert {"aws:eks/cluster:Cluster", "aws:kms/key:Key", "aws:iam/role:Role"} <= {r.type for r in children}
    for resource in children:
        assert resource.protect and resource.retain_on_delete, resource.name
    assert result.find("aws:eks/cluster:Cluster")[0].inputs["deletionProtection"] is True


def test_dev_protects_nothing(plan) -> None:
    assert [r.name for r in plan("dev").resources if r.protect or r.retain_on_delete] == []


def test_admin_roles_get_an_unprotected_access_component_only_when_configured(plan) -> None:
    assert plan("dev").find("kfstack:cluster:EksAdminAccess") == []
    result = plan("prod")  # prod must name an admin role (the shipped placeholder)
    (role,) = result.config.cluster.eks.admin_role_arns
    (access,) = result.find("kfstack:cluster:EksAdminAccess")
    (entry,) = result.find("aws:eks/accessEntry:AccessEntry", "admin-platform-admins")
    assert entry.parent == access.urn and entry.inputs["principalArn"] == role
    (association,) = result.find("aws:eks/accessPolicyAssociation:AccessPolicyAssociation")
    assert association.inputs["policyArn"].endswith("/AmazonEKSClusterAdminPolicy")
    assert not entry.protect  # changing who administers a protected cluster stays an update


def test_eks_only_components_say_why_they_skip_an_existing_cluster() -> None:
    from stacks.components.cluster import only_on_eks
    from stacks.components.karpenter import SPEC as KARPENTER
    from stacks.config.loader import load_environment

    _, local = load_environment("local")
    _, staging = load_environment("staging")
    assert only_on_eks("Karpenter")(local) == "Karpenter runs only on EKS"
    assert KARPENTER.skip_reason is not None
    assert KARPENTER.skip_reason(local) == "Karpenter runs only on EKS"
    assert KARPENTER.skip_reason(staging) is None
