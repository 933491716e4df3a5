"""EKS access entries that give IAM roles cluster-admin access."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from modules.options import child_options

CLUSTER_ADMIN_POLICY = "arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy"


def admin_access_names(role_arns: Sequence[str]) -> dict[str, str]:
    """Stable logical names for admin access entries, keyed by role ARN (`admin-<role name>`)."""
    return {arn: f"admin-{arn.rsplit('/', 1)[-1].lower()}" for arn in role_arns}


@dataclass(frozen=True)
class EksAdminAccessArgs:
    """The cluster and the roles that administer it."""

    cluster_name: pulumi.Input[str]
    admin_role_arns: tuple[str, ...]


class EksAdminAccess(pulumi.ComponentResource):
    """One access entry + cluster-admin policy association per role.

    Its own component, apart from the (protected) cluster, so that changing who administers a
    protected cluster is an ordinary update.
    """

    def __init__(
        self, name: str, args: EksAdminAccessArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("kfstack:cluster:EksAdminAccess", name, None, opts)
        child = child_options(self, opts)
        for arn, entry_name in admin_access_names(args.admin_role_arns).items():
            entry = aws.eks.AccessEntry(
                entry_name, cluster_name=args.cluster_name, principal_arn=arn, type="STANDARD", opts=child
            )
            aws.eks.AccessPolicyAssociation(
                entry_name,
                cluster_name=args.cluster_name,
                principal_arn=arn,
                policy_arn=CLUSTER_ADMIN_POLICY,
                access_scope=aws.eks.AccessPolicyAssociationAccessScopeArgs(type="cluster"),
                opts=pulumi.ResourceOptions.merge(child, pulumi.ResourceOptions(depends_on=[entry])),
            )
        self.register_outputs({})
