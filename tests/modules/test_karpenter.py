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
    INTERRUPTION_EVENTS,
    Karpenter,
    KarpenterArgs,
    KarpenterNodePool,
    KarpenterPoolArgs,
    controller_policy,
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
    pass_role = next(s for s in policy["Statement"] if s["Sid"] == "AllowPassingInstanceRole")
    assert pass_role["Resource"].split(":role/")[1].startswith("karpenter-node")
    assert pass_role["Condition"] == {
        "StringEquals": {"iam:PassedToService": ["ec2.amazonaws.com", "ec2.amazonaws.com.cn"]}
    }
    release = rec.one("kubernetes:helm.sh/v3:Release", "karpenter")
    assert entry.urn in release.dependencies
    aws_provider = rec.one("pulumi:providers:aws").urn
    k8s_provider = rec.one("pulumi:providers:kubernetes").urn
    assert entry.provider == aws_provider and release.provider == k8s_provider


CLUSTER_ARN = "arn:aws:eks:us-east-1:123456789012:cluster/kfstack-prod"
NODE_ROLE = "arn:aws:iam::123456789012:role/karpenter-node"
QUEUE_ARN = "arn:aws:sqs:us-east-1:123456789012:karpenter-interruption"


def _statements() -> dict[str, dict]:
    policy = json.loads(controller_policy(CLUSTER_ARN, "kfstack-prod", NODE_ROLE, QUEUE_ARN))
    return {s["Sid"]: s for s in policy["Statement"]}


def test_every_ec2_write_is_conditioned_on_the_clusters_tags() -> None:
    writes = {"ec2:RunInstances", "ec2:CreateFleet", "ec2:CreateLaunchTemplate", "ec2:CreateTags",
              "ec2:TerminateInstances", "ec2:DeleteLaunchTemplate"}
    for sid, statement in _statements().items():
        actions = {statement["Action"]} if isinstance(statement["Action"], str) else set(statement["Action"])
        if not actions & writes:
            continue
        assert statement["Resource"] != "*", sid
        if sid == "AllowScopedEC2InstanceAccessActions":  # images, subnets, security groups: read-only use
            assert all(":image/" in r or ":snapshot/" in r or ":security-group/" in r or ":subnet/" in r
                       or ":capacity-reservation/" in r or ":placement-group/" in r
                       for r in statement["Resource"])
            continue
        conditions = json.dumps(statement["Condition"])
        assert "kubernetes.io/cluster/kfstack-prod" in conditions, sid
        assert "karpenter.sh/nodepool" in conditions, sid


REFERENCE_SIDS = {
    # aws/karpenter-provider-aws v1.14.0, getting-started-with-karpenter/cloudformation.yaml
    "AllowScopedEC2InstanceAccessActions", "AllowScopedEC2LaunchTemplateAccessActions",
    "AllowScopedEC2InstanceActionsWithTags", "AllowScopedResourceCreationTagging",
    "AllowScopedResourceTagging", "AllowScopedDeletion", "AllowPassingInstanceRole",
    "AllowScopedInstanceProfileCreationActions", "AllowScopedInstanceProfileTagActions",
    "AllowScopedInstanceProfileActions", "AllowAPIServerEndpointDiscovery", "AllowInterruptionQueueActions",
    "AllowZonalShiftStatusReadOnly", "AllowRegionalReadActions", "AllowSSMReadActions",
    "AllowPricingReadActions", "AllowUnscopedInstanceProfileListAction", "AllowInstanceProfileReadActions",
}


def test_the_policy_has_exactly_the_reference_statements_and_fits_an_inline_policy() -> None:
    assert set(_statements()) == REFERENCE_SIDS
    document = controller_policy(CLUSTER_ARN, "kfstack-prod", NODE_ROLE, QUEUE_ARN)
    # IAM caps a role's inline policies at 10,240 characters, whitespace not counted
    assert len(json.dumps(json.loads(document), separators=(",", ":"))) < 10_240


def test_created_resources_carry_the_cluster_name_tag_and_a_nodepool() -> None:
    statements = _statements()
    for sid in ("AllowScopedEC2InstanceActionsWithTags", "AllowScopedResourceCreationTagging"):
        condition = statements[sid]["Condition"]
        assert condition["StringEquals"]["aws:RequestTag/eks:eks-cluster-name"] == "kfstack-prod", sid
        assert condition["StringEquals"]["aws:RequestTag/kubernetes.io/cluster/kfstack-prod"] == "owned", sid
        assert condition["StringLike"] == {"aws:RequestTag/karpenter.sh/nodepool": "*"}, sid
    tagging = statements["AllowScopedResourceTagging"]["Condition"]
    assert tagging["ForAllValues:StringEquals"]["aws:TagKeys"] == ["eks:eks-cluster-name", "karpenter.sh/nodeclaim", "Name"]
    zonal = statements["AllowZonalShiftStatusReadOnly"]
    assert zonal["Condition"] == {"StringEquals": {"arc-zonal-shift:ResourceIdentifier": CLUSTER_ARN}}


def test_reads_are_regional_and_include_instance_status_for_health_checks() -> None:
    reads = _statements()["AllowRegionalReadActions"]
    assert sorted(reads["Action"]) == [
        "ec2:DescribeCapacityReservations", "ec2:DescribeImages", "ec2:DescribeInstanceStatus",
        "ec2:DescribeInstanceTypeOfferings", "ec2:DescribeInstanceTypes", "ec2:DescribeInstances",
        "ec2:DescribeLaunchTemplates", "ec2:DescribePlacementGroups", "ec2:DescribeSecurityGroups",
        "ec2:DescribeSpotPriceHistory", "ec2:DescribeSubnets",
    ]
    assert reads["Condition"] == {"StringEquals": {"aws:RequestedRegion": "us-east-1"}}
    assert _statements()["AllowSSMReadActions"]["Resource"].startswith("arn:aws:ssm:us-east-1::")


def test_the_controller_may_only_drain_its_own_queue_and_tagged_instance_profiles() -> None:
    statements = _statements()
    assert statements["AllowInterruptionQueueActions"]["Resource"] == QUEUE_ARN
    assert sorted(statements["AllowInterruptionQueueActions"]["Action"]) == [
        "sqs:DeleteMessage", "sqs:GetQueueUrl", "sqs:ReceiveMessage"
    ]
    for sid in ("AllowScopedInstanceProfileCreationActions", "AllowScopedInstanceProfileTagActions",
                "AllowScopedInstanceProfileActions"):
        statement = statements[sid]
        assert statement["Resource"] == "arn:aws:iam::123456789012:instance-profile/*"
        conditions = json.dumps(statement["Condition"])
        assert "kubernetes.io/cluster/kfstack-prod" in conditions and "us-east-1" in conditions, sid
        assert "karpenter.k8s.aws/ec2nodeclass" in conditions, sid


def test_interruption_queue_rules_and_controller_setting(record) -> None:
    rec = record(_karpenter)
    queue = rec.one("aws:sqs/queue:Queue")
    assert queue.inputs["messageRetentionSeconds"] == 300
    assert queue.inputs["sqsManagedSseEnabled"] is True
    queue_policy = json.loads(rec.one("aws:sqs/queuePolicy:QueuePolicy").inputs["policy"])
    allow = next(s for s in queue_policy["Statement"] if s["Effect"] == "Allow")
    assert sorted(allow["Principal"]["Service"]) == ["events.amazonaws.com", "sqs.amazonaws.com"]
    assert allow["Action"] == "sqs:SendMessage"
    deny = next(s for s in queue_policy["Statement"] if s["Effect"] == "Deny")
    assert deny["Condition"] == {"Bool": {"aws:SecureTransport": "false"}} and deny["Principal"] == "*"
    rules = rec.find("aws:cloudwatch/eventRule:EventRule")
    patterns = sorted(json.loads(r.inputs["eventPattern"])["detail-type"][0] for r in rules)
    assert patterns == [
        "AWS Health Event",
        "EC2 Capacity Reservation Instance Interruption Warning",
        "EC2 Instance Rebalance Recommendation",
        "EC2 Instance State-change Notification",
        "EC2 Spot Instance Interruption Warning",
    ]
    assert len(INTERRUPTION_EVENTS) == len(rules) == len(rec.find("aws:cloudwatch/eventTarget:EventTarget"))
    for target in rec.find("aws:cloudwatch/eventTarget:EventTarget"):
        assert target.inputs["arn"] == allow["Resource"]
    assert rec.one("aws:sqs/queuePolicy:QueuePolicy").dependencies == [queue.urn]
    release = rec.one("kubernetes:helm.sh/v3:Release", "karpenter")
    queue_name = allow["Resource"].rsplit(":", 1)[1]  # an SQS ARN ends in the queue's name
    assert release.inputs["values"]["settings"]["interruptionQueue"] == queue_name
