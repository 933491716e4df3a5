"""Karpenter: controller values and policy, NodePool/EC2NodeClass specs against the CRD schemas."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pulumi
import pulumi_aws as aws
import pulumi_kubernetes as k8s

from modules.gpu import node_labels
from modules.helm import HelmChart
from modules.karpenter import (
    Karpenter,
    KarpenterArgs,
    KarpenterNodePool,
    KarpenterPoolArgs,
    controller_values,
    ec2_node_class_spec,
    node_pool_spec,
)

GPU_TAINT = {"key": "nvidia.com/gpu", "effect": "NoSchedule"}
CHART = HelmChart("oci://public.ecr.aws/karpenter/karpenter", "1.14.0")


def _crd_schema(crd_dir: Path, group: str, kind: str) -> dict:
    return json.loads((crd_dir / group / f"{kind}_v1.json").read_text())["openAPIV3Schema"]


def test_karpenter_specs_validate_against_the_crd_schemas(crd_dir: Path) -> None:
    node_class = {
        "apiVersion": "karpenter.k8s.aws/v1",
        "kind": "EC2NodeClass",
        "metadata": {"name": "gpu"},
        "spec": ec2_node_class_spec("node-role", ["subnet-0a", "subnet-0b"], ["sg-0c"], 200),
    }
    node_pool = {
        "apiVersion": "karpenter.sh/v1",
        "kind": "NodePool",
        "metadata": {"name": "gpu"},
        "spec": node_pool_spec(
            "gpu", ["g5.xlarge"], "SPOT", "x86_64", node_labels("gpu", {}, gpu=True), [GPU_TAINT],
            {"nvidia.com/gpu": "4"},
        ),
    }
    jsonschema.validate(node_class, _crd_schema(crd_dir, "karpenter.k8s.aws", "EC2NodeClass"))
    jsonschema.validate(node_pool, _crd_schema(crd_dir, "karpenter.sh", "NodePool"))
    requirements = {r["key"]: r["values"] for r in node_pool["spec"]["template"]["spec"]["requirements"]}
    assert requirements == {
        "node.kubernetes.io/instance-type": ["g5.xlarge"],
        "karpenter.sh/capacity-type": ["spot"],
        "kubernetes.io/arch": ["amd64"],
    }
    assert node_class["spec"]["metadataOptions"]["httpTokens"] == "required"
    assert node_class["spec"]["metadataOptions"]["httpPutResponseHopLimit"] == 1


def test_karpenter_controller_values_carry_the_cluster_and_irsa_role() -> None:
    values = controller_values("kfstack-dev", "https://x", "arn:aws:iam::1:role/karpenter")
    assert values["settings"] == {"clusterName": "kfstack-dev", "clusterEndpoint": "https://x"}
    assert values["serviceAccount"]["annotations"] == {"eks.amazonaws.com/role-arn": "arn:aws:iam::1:role/karpenter"}


def _karpenter() -> None:
    aws_provider = aws.Provider("aws", region="us-west-2")
    provider = k8s.Provider("k8s", kubeconfig="{}")
    karpenter = Karpenter(
        "karpenter",
        KarpenterArgs(
            chart=CHART,
            cluster_name="kfstack-test",
            cluster_arn="arn:aws:eks:us-west-2:123456789012:cluster/kfstack-test",
            cluster_endpoint="https://x",
            oidc_provider_arn="arn:aws:iam::123456789012:oidc-provider/oidc.example/id/X",
            oidc_issuer="https://oidc.example/id/X",
        ),
        opts=pulumi.ResourceOptions(providers=[aws_provider, provider]),
    )
    KarpenterNodePool(
        "gpu",
        KarpenterPoolArgs(
            instance_types=("g5.xlarge",),
            capacity_type="ON_DEMAND",
            architecture="x86_64",
            disk_size_gib=100,
            labels=node_labels("gpu", {}, gpu=True),
            taints=(GPU_TAINT,),
            limits={"nvidia.com/gpu": "2"},
            node_role_name=karpenter.node_role.name,
            subnet_ids=["subnet-0a", "subnet-0b"],
            security_group_ids=["sg-0c"],
        ),
        opts=pulumi.ResourceOptions(providers=[provider], depends_on=[karpenter.release]),
    )


def test_karpenter_pool_resources_depend_on_the_release_that_installs_their_crds(record) -> None:
    rec = record(_karpenter)
    release = rec.one("kubernetes:helm.sh/v3:Release", "karpenter")
    assert release.inputs["chart"] == CHART.name and release.inputs["version"] == "1.14.0"
    assert release.inputs["namespace"] == "kube-system"
    node_class = rec.one("kubernetes:karpenter.k8s.aws/v1:EC2NodeClass")
    node_pool = rec.one("kubernetes:karpenter.sh/v1:NodePool")
    assert release.urn in node_class.dependencies and release.urn in node_pool.dependencies
    assert node_class.urn in node_pool.dependencies
    assert node_class.inputs["spec"]["role"].startswith("karpenter-node")


def test_controller_has_its_own_node_role_and_may_pass_only_that_role(record) -> None:
    rec = record(_karpenter)
    entry = rec.one("aws:eks/accessEntry:AccessEntry", "karpenter-node")
    assert entry.inputs["type"] == "EC2_LINUX"
    policy = json.loads(rec.one("aws:iam/rolePolicy:RolePolicy", "karpenter-controller").inputs["policy"])
    pass_role = next(s for s in policy["Statement"] if s["Sid"] == "PassNodeRole")
    assert pass_role["Resource"].split(":role/")[1].startswith("karpenter-node")
    release = rec.one("kubernetes:helm.sh/v3:Release", "karpenter")
    assert entry.urn in release.dependencies
    aws_provider = rec.one("pulumi:providers:aws").urn
    k8s_provider = rec.one("pulumi:providers:kubernetes").urn
    assert entry.provider == aws_provider and release.provider == k8s_provider
