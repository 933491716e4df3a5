"""A PostgreSQL database on RDS for an in-cluster service: a subnet group on the VPC's private subnets,
a security group that admits PostgreSQL only from the given client security groups, and an encrypted,
private instance with automated backups (deletion protection and a final snapshot when protected)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from modules.options import child_options

POSTGRES_PORT = 5432


@dataclass(frozen=True)
class PostgresDatabaseArgs:
    """Where the instance lives, who may connect, its size and how it is kept.

    `identifier` names the instance (and its final snapshot, `<identifier>-final`); `password` is the
    master password, a secret. `keep` turns on deletion protection and a final snapshot on delete.
    """

    identifier: str
    vpc_id: pulumi.Input[str]
    subnet_ids: Sequence[pulumi.Input[str]]
    client_security_group_ids: Sequence[pulumi.Input[str]]
    database: str
    username: str
    password: pulumi.Input[str]
    instance_class: str
    allocated_storage_gib: int
    max_allocated_storage_gib: int | None
    engine_version: str
    multi_az: bool
    backup_retention_days: int
    keep: bool


def final_snapshot_identifier(identifier: str) -> str:
    """The snapshot RDS takes when a kept instance is deleted."""
    return f"{identifier}-final"


class PostgresDatabase(pulumi.ComponentResource):
    """Subnet group, security group and instance; `address` and `port` are where clients connect."""

    instance: aws.rds.Instance
    security_group: aws.ec2.SecurityGroup
    address: pulumi.Output[str]
    port: pulumi.Output[int]

    def __init__(
        self, name: str, args: PostgresDatabaseArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("kfstack:storage:PostgresDatabase", name, None, opts)
        child = child_options(self, opts)
        subnets = aws.rds.SubnetGroup(
            f"{name}-subnets",
            description=f"Private subnets of {args.identifier}",
            subnet_ids=list(args.subnet_ids),
            tags={"Name": args.identifier},
            opts=child,
        )
        self.security_group = aws.ec2.SecurityGroup(
            f"{name}-postgres",
            description=f"PostgreSQL to {args.identifier} from the cluster only",
            vpc_id=args.vpc_id,
            ingress=[
                aws.ec2.SecurityGroupIngressArgs(
                    protocol="tcp",
                    from_port=POSTGRES_PORT,
                    to_port=POSTGRES_PORT,
                    security_groups=list(args.client_security_group_ids),
                    description="PostgreSQL from the cluster's nodes and pods",
                )
            ],
            # no egress rule: the database opens no connections
            egress=[],
            tags={"Name": f"{args.identifier}-postgres"},
            opts=child,
        )
        self.instance = aws.rds.Instance(
            name,
            identifier=args.identifier,
            engine="postgres",
            engine_version=args.engine_version,
            auto_minor_version_upgrade=True,
            instance_class=args.instance_class,
            allocated_storage=args.allocated_storage_gib,
            max_allocated_storage=args.max_allocated_storage_gib,
            storage_type="gp3",
            storage_encrypted=True,
            db_name=args.database,
            username=args.username,
            password=pulumi.Output.secret(args.password),
            port=POSTGRES_PORT,
            db_subnet_group_name=subnets.name,
            vpc_security_group_ids=[self.security_group.id],
            publicly_accessible=False,
            multi_az=args.multi_az,
            backup_retention_period=args.backup_retention_days,
            copy_tags_to_snapshot=True,
            deletion_protection=args.keep,
            skip_final_snapshot=not args.keep,
            final_snapshot_identifier=final_snapshot_identifier(args.identifier) if args.keep else None,
            tags={"Name": args.identifier},
            opts=child,
        )
        self.address = self.instance.address
        self.port = self.instance.port
        self.register_outputs({"address": self.address, "port": self.port})
