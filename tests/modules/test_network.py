"""The VPC module: subnet layout, NAT policy, routes, under the mock runtime."""

from __future__ import annotations

import ipaddress

import pulumi
import pulumi_aws as aws
import pytest

from modules.network import Network, NetworkArgs, nat_gateway_zones, subnet_plan, subnet_tags

ZONES = ("us-west-2a", "us-west-2b", "us-west-2c")


def test_subnet_plan_gives_each_zone_a_private_and_a_public_subnet_without_overlap() -> None:
    plan = subnet_plan("10.0.0.0/16", ZONES)
    assert [p.zone for p in plan] == list(ZONES)
    networks = [ipaddress.ip_network(c) for p in plan for c in (p.public_cidr, p.private_cidr)]
    vpc = ipaddress.ip_network("10.0.0.0/16")
    assert all(n.subnet_of(vpc) for n in networks)
    assert not any(a.overlaps(b) for i, a in enumerate(networks) for b in networks[i + 1 :])
    assert plan[0].private_cidr == "10.0.0.0/18"
    assert plan[0].public_cidr == "10.0.192.0/20"


def test_subnet_plan_rejects_more_than_three_zones() -> None:
    with pytest.raises(ValueError):
        subnet_plan("10.0.0.0/16", [*ZONES, "us-west-2d"])


@pytest.mark.parametrize(
    ("policy", "expected"), [("none", []), ("single", ["us-west-2a"]), ("perAz", list(ZONES))]
)
def test_nat_gateway_zones_follow_the_policy(policy, expected) -> None:
    assert nat_gateway_zones(policy, ZONES) == expected


def test_subnet_tags_mark_load_balancer_roles() -> None:
    assert subnet_tags("c", "n", public=True)["kubernetes.io/role/elb"] == "1"
    assert subnet_tags("c", "n", public=False)["kubernetes.io/role/internal-elb"] == "1"
    assert subnet_tags("c", "n", public=False)["kubernetes.io/cluster/c"] == "shared"


def _network(policy: str, zones: tuple[str, ...] = ZONES) -> None:
    provider = aws.Provider("aws", region="us-west-2")
    Network(
        "network",
        NetworkArgs("kfstack-test", "10.20.0.0/16", zones, policy),  # type: ignore[arg-type]
        opts=pulumi.ResourceOptions(providers=[provider]),
    )


def test_per_az_nat_gives_every_private_route_table_its_own_gateway(record) -> None:
    rec = record(lambda: _network("perAz"))
    assert rec.one("aws:ec2/vpc:Vpc").inputs["cidrBlock"] == "10.20.0.0/16"
    subnets = rec.find("aws:ec2/subnet:Subnet")
    assert len(subnets) == 6
    assert {s.inputs["availabilityZone"] for s in subnets} == set(ZONES)
    nats = {n.name: n for n in rec.find("aws:ec2/natGateway:NatGateway")}
    assert set(nats) == {f"network-nat-{z}" for z in ZONES}
    for zone in ZONES:
        table = rec.one("aws:ec2/routeTable:RouteTable", f"network-private-{zone}")
        nat_id = table.inputs["routes"][0]["natGatewayId"]
        assert nat_id.startswith("nat-")
        # each NAT sits in the public subnet of its own zone
        public = rec.one("aws:ec2/subnet:Subnet", f"network-public-{zone}")
        assert public.urn in nats[f"network-nat-{zone}"].dependencies


def test_single_nat_is_shared_and_none_leaves_private_subnets_without_default_route(record) -> None:
    single = record(lambda: _network("single", ZONES[:2]))
    assert len(single.find("aws:ec2/natGateway:NatGateway")) == 1
    routes = {
        r.inputs["routes"][0]["natGatewayId"]
        for r in single.find("aws:ec2/routeTable:RouteTable")
        if r.name.startswith("network-private")
    }
    assert len(routes) == 1
    none = record(lambda: _network("none", ZONES[:2]))
    assert none.find("aws:ec2/natGateway:NatGateway") == []
    private_tables = [r for r in none.find("aws:ec2/routeTable:RouteTable") if "private" in r.name]
    assert all(not r.inputs.get("routes") for r in private_tables)


def test_every_network_resource_uses_the_explicit_aws_provider(record) -> None:
    rec = record(lambda: _network("single"))
    provider = rec.one("pulumi:providers:aws", "aws")
    for resource in rec.resources:
        if resource.type.startswith("aws:"):
            assert resource.provider == provider.urn, resource.name
