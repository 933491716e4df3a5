"""EKS addons: pinned or default versions, IRSA roles for the CSI drivers, ordering from options."""

from __future__ import annotations

import json

import pulumi
import pulumi_aws as aws

from modules.eks_addons import EksAddons, EksAddonsArgs, after_compute, before_compute

OIDC_ARN = "arn:aws:iam::123456789012:oidc-provider/oidc.example/id/X"


def _addons(after: bool = False) -> None:
    provider = aws.Provider("aws", region="us-west-2")
    waits = [aws.ec2.Vpc("nodes", cidr_block="10.0.0.0/16", opts=pulumi.ResourceOptions(provider=provider))]
    EksAddons(
        "addons",
        EksAddonsArgs(
            cluster_name="kfstack-test",
            addons={"vpc-cni": "v1.20.1-eksbuild.1", "aws-ebs-csi-driver": None},
            oidc_provider_arn=OIDC_ARN,
            oidc_issuer="https://oidc.example/id/X",
        ),
        opts=pulumi.ResourceOptions(providers=[provider], depends_on=waits if after else None),
    )


def test_csi_addons_get_irsa_roles_and_pinned_versions(record) -> None:
    rec = record(_addons)
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
    assert trust["Condition"]["StringEquals"]["oidc.example/id/X:sub"] == (
        "system:serviceaccount:kube-system:ebs-csi-controller-sa"
    )


def test_addons_wait_for_what_the_caller_names(record) -> None:
    rec = record(lambda: _addons(after=True))
    nodes = rec.one("aws:ec2/vpc:Vpc", "nodes")
    for addon in rec.find("aws:eks/addon:Addon"):
        assert nodes.urn in addon.dependencies
    assert record(_addons).one("aws:eks/addon:Addon", "vpc-cni").dependencies == []


def test_daemonset_addons_nodes_need_are_split_off_before_compute() -> None:
    addons = {"vpc-cni": "v1.20.1-eksbuild.1", "coredns": None, "kube-proxy": None, "eks-pod-identity-agent": None}
    assert before_compute(addons) == {"vpc-cni": "v1.20.1-eksbuild.1", "kube-proxy": None, "eks-pod-identity-agent": None}
    assert after_compute(addons) == {"coredns": None}


def test_the_efs_driver_role_trusts_its_controller_and_node_service_accounts(record) -> None:
    def program() -> None:
        EksAddons(
            "addons",
            EksAddonsArgs("kfstack-test", {"aws-efs-csi-driver": None}, OIDC_ARN, "https://oidc.example/id/X"),
        )

    role = record(program).one("aws:iam/role:Role", "aws-efs-csi-driver")
    condition = json.loads(role.inputs["assumeRolePolicy"])["Statement"][0]["Condition"]
    assert condition == {
        "StringLike": {"oidc.example/id/X:sub": "system:serviceaccount:kube-system:efs-csi-*"},
        "StringEquals": {"oidc.example/id/X:aud": "sts.amazonaws.com"},
    }
