"""The network builder: a created VPC per the NAT policy, an existing VPC, or none."""

from __future__ import annotations


def test_nat_policy_per_environment(plan) -> None:
    assert len(plan("prod").find("aws:ec2/natGateway:NatGateway")) == 3
    assert len(plan("dev").find("aws:ec2/natGateway:NatGateway")) == 1


def test_created_vpc_spans_the_configured_zones(plan) -> None:
    result = plan("dev")
    eks = result.config.cluster.eks
    assert eks is not None
    (vpc,) = result.find("aws:ec2/vpc:Vpc")
    assert vpc.inputs["cidrBlock"] == eks.vpc.cidr
    subnets = result.find("aws:ec2/subnet:Subnet")
    assert {s.inputs["availabilityZone"] for s in subnets} == set(eks.availability_zones)
    assert len(subnets) == 2 * len(eks.availability_zones)


def test_an_existing_vpc_creates_no_network_and_its_subnets_carry_the_cluster(plan_of) -> None:
    def existing_vpc(values: dict) -> None:
        values["cluster"]["eks"]["vpc"] = {
            "id": "vpc-0abc",
            "cidr": "10.9.0.0/16",
            "privateSubnetIds": ["subnet-0a", "subnet-0b"],
        }

    result = plan_of("dev", existing_vpc)
    assert result.find("kfstack:network:Network") == []
    assert result.find("aws:ec2/vpc:Vpc") == []
    (cluster,) = result.find("aws:eks/cluster:Cluster")
    assert cluster.inputs["vpcConfig"]["subnetIds"] == ["subnet-0a", "subnet-0b"]
    targets = result.find("aws:efs/mountTarget:MountTarget")
    assert sorted(t.inputs["subnetId"] for t in targets) == ["subnet-0a", "subnet-0b"]


def test_an_existing_cluster_has_no_network(plan) -> None:
    assert plan("local").find("kfstack:network:Network") == []
