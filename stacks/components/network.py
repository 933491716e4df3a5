"""The VPC of an EKS environment: created (subnets, gateways, routes) or an existing one."""

from __future__ import annotations

from typing import TYPE_CHECKING

from stacks.component_spec import ComponentSpec
from stacks.components.aws import AwsAccount
from stacks.context import StackContext
from stacks.mock_values import ec2_id, stable_hex

if TYPE_CHECKING:
    from modules.network import NetworkRefs

SPEC = ComponentSpec(
    name="network",
    summary="VPC with a private and a public subnet per AZ and NAT per policy (EKS), or an existing VPC",
    mock_outputs={
        "aws:ec2/vpc:Vpc": ec2_id("vpc"),
        "aws:ec2/subnet:Subnet": ec2_id("subnet"),
        "aws:ec2/internetGateway:InternetGateway": ec2_id("igw"),
        "aws:ec2/natGateway:NatGateway": ec2_id("nat"),
        "aws:ec2/routeTable:RouteTable": ec2_id("rtb"),
        "aws:ec2/eip:Eip": lambda name, inputs: {
            "id": f"eipalloc-{stable_hex(name)}",
            "allocationId": f"eipalloc-{stable_hex(name)}",
            "publicIp": "192.0.2.10",
        },
    },
    replace_on={
        "aws:ec2/vpc:Vpc": ("cidrBlock",),
        "aws:ec2/subnet:Subnet": ("cidrBlock", "availabilityZone", "vpcId"),
    },
)


def build_network(stack: StackContext, aws: AwsAccount | None) -> NetworkRefs | None:
    """The subnets and CIDR the cluster uses; None without EKS."""
    eks = stack.config.cluster.eks
    if eks is None or aws is None:
        return None
    from modules.network import Network, NetworkArgs, NetworkRefs

    vpc = eks.vpc
    if vpc.id is not None:
        return NetworkRefs(vpc.id, vpc.cidr, list(vpc.private_subnet_ids), list(vpc.public_subnet_ids))
    network = Network(
        "network",
        NetworkArgs(stack.cluster_name, vpc.cidr, tuple(eks.availability_zones), vpc.nat_gateways),
        opts=aws.options(),
    )
    return network.refs
