"""The VPC for an EKS cluster: public and private subnets per AZ, internet and NAT gateways."""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from modules.options import child_options
from modules.vocabulary import NatPolicy


@dataclass(frozen=True)
class NetworkRefs:
    """What the cluster, node groups and EFS need from a VPC (created or existing)."""

    vpc_id: pulumi.Input[str]
    cidr: str
    private_subnet_ids: Sequence[pulumi.Input[str]]
    public_subnet_ids: Sequence[pulumi.Input[str]]


@dataclass(frozen=True)
class NetworkArgs:
    """A new VPC spread over `availability_zones`."""

    cluster_name: str
    cidr: str
    availability_zones: tuple[str, ...]
    nat_gateways: NatPolicy


@dataclass(frozen=True)
class SubnetPlan:
    """CIDRs of one AZ's subnets."""

    zone: str
    public_cidr: str
    private_cidr: str


def subnet_plan(cidr: str, zones: Sequence[str]) -> list[SubnetPlan]:
    """Split `cidr` into a large private and a small public subnet per zone.

    The VPC is cut into 4 quarters for private subnets (nodes and pods use VPC IPs with the
    VPC CNI, so private subnets get the room), and the last quarter into 4 small public ones.
    """
    if len(zones) > 3:
        raise ValueError("subnet_plan supports up to 3 availability zones")
    network = ipaddress.IPv4Network(cidr)
    quarters = list(network.subnets(prefixlen_diff=2))
    public = list(quarters[3].subnets(prefixlen_diff=2))
    return [SubnetPlan(zone, str(public[i]), str(quarters[i])) for i, zone in enumerate(zones)]


def nat_gateway_zones(policy: NatPolicy, zones: Sequence[str]) -> list[str]:
    """The zones that get a NAT gateway under `policy`."""
    if policy == "none":
        return []
    return list(zones[:1]) if policy == "single" else list(zones)


def subnet_tags(cluster_name: str, name: str, public: bool) -> dict[str, str]:
    """Tags the AWS load balancer controller uses to discover subnets."""
    role = "kubernetes.io/role/elb" if public else "kubernetes.io/role/internal-elb"
    return {"Name": name, role: "1", f"kubernetes.io/cluster/{cluster_name}": "shared"}


class Network(pulumi.ComponentResource):
    """VPC, subnets, gateways and routes; `refs` is what the rest of the platform uses."""

    refs: NetworkRefs

    def __init__(self, name: str, args: NetworkArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("kfstack:network:Network", name, None, opts)
        child = child_options(self, opts)
        vpc = aws.ec2.Vpc(
            f"{name}-vpc",
            cidr_block=args.cidr,
            enable_dns_hostnames=True,
            enable_dns_support=True,
            tags={"Name": args.cluster_name},
            opts=child,
        )
        igw = aws.ec2.InternetGateway(
            f"{name}-igw", vpc_id=vpc.id, tags={"Name": args.cluster_name}, opts=child
        )
        public_rt = aws.ec2.RouteTable(
            f"{name}-public",
            vpc_id=vpc.id,
            routes=[aws.ec2.RouteTableRouteArgs(cidr_block="0.0.0.0/0", gateway_id=igw.id)],
            tags={"Name": f"{args.cluster_name}-public"},
            opts=child,
        )
        public: dict[str, aws.ec2.Subnet] = {}
        private: dict[str, aws.ec2.Subnet] = {}
        for plan in subnet_plan(args.cidr, args.availability_zones):
            public[plan.zone] = aws.ec2.Subnet(
                f"{name}-public-{plan.zone}",
                vpc_id=vpc.id,
                availability_zone=plan.zone,
                cidr_block=plan.public_cidr,
                map_public_ip_on_launch=False,
                tags=subnet_tags(args.cluster_name, f"{args.cluster_name}-public-{plan.zone}", public=True),
                opts=child,
            )
            aws.ec2.RouteTableAssociation(
                f"{name}-public-{plan.zone}",
                subnet_id=public[plan.zone].id,
                route_table_id=public_rt.id,
                opts=child,
            )
            private[plan.zone] = aws.ec2.Subnet(
                f"{name}-private-{plan.zone}",
                vpc_id=vpc.id,
                availability_zone=plan.zone,
                cidr_block=plan.private_cidr,
                tags=subnet_tags(args.cluster_name, f"{args.cluster_name}-private-{plan.zone}", public=False),
                opts=child,
            )
        nats: dict[str, aws.ec2.NatGateway] = {}
        for zone in nat_gateway_zones(args.nat_gateways, args.availability_zones):
            eip = aws.ec2.Eip(
                f"{name}-nat-{zone}",
                domain="vpc",
                tags={"Name": f"{args.cluster_name}-nat-{zone}"},
                opts=child,
            )
            nats[zone] = aws.ec2.NatGateway(
                f"{name}-nat-{zone}",
                allocation_id=eip.id,
                subnet_id=public[zone].id,
                tags={"Name": f"{args.cluster_name}-nat-{zone}"},
                opts=pulumi.ResourceOptions.merge(child, pulumi.ResourceOptions(depends_on=[igw])),
            )
        for zone, subnet in private.items():
            nat = nats.get(zone) or next(iter(nats.values()), None)
            routes = (
                [aws.ec2.RouteTableRouteArgs(cidr_block="0.0.0.0/0", nat_gateway_id=nat.id)] if nat else []
            )
            table = aws.ec2.RouteTable(
                f"{name}-private-{zone}",
                vpc_id=vpc.id,
                routes=routes,
                tags={"Name": f"{args.cluster_name}-private-{zone}"},
                opts=child,
            )
            aws.ec2.RouteTableAssociation(
                f"{name}-private-{zone}", subnet_id=subnet.id, route_table_id=table.id, opts=child
            )
        self.refs = NetworkRefs(
            vpc_id=vpc.id,
            cidr=args.cidr,
            private_subnet_ids=[s.id for s in private.values()],
            public_subnet_ids=[s.id for s in public.values()],
        )
        self.register_outputs({"vpcId": vpc.id})
