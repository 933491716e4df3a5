"""Admin access entries for IAM roles."""

from __future__ import annotations

import pulumi
import pulumi_aws as aws

from modules.eks_access import CLUSTER_ADMIN_POLICY, EksAdminAccess, EksAdminAccessArgs, admin_access_names

ADMIN = "arn:aws:iam::123456789012:role/platform-admins"


def test_admin_access_names_are_stable() -> None:
    assert admin_access_names([ADMIN]) == {ADMIN: "admin-platform-admins"}


def test_admin_roles_get_access_entries_with_the_cluster_admin_policy(record) -> None:
    def program() -> None:
        provider = aws.Provider("aws", region="us-west-2")
        EksAdminAccess(
            "admin-access",
            EksAdminAccessArgs("kfstack-test", (ADMIN,)),
            opts=pulumi.ResourceOptions(providers=[provider]),
        )

    rec = record(program)
    entry = rec.one("aws:eks/accessEntry:AccessEntry", "admin-platform-admins")
    assert entry.inputs == {"clusterName": "kfstack-test", "principalArn": ADMIN, "type": "STANDARD"}
    association = rec.one("aws:eks/accessPolicyAssociation:AccessPolicyAssociation", "admin-platform-admins")
    assert association.inputs["policyArn"] == CLUSTER_ADMIN_POLICY
    assert association.inputs["accessScope"] == {"type": "cluster"}
    assert entry.urn in association.dependencies
    assert association.provider == rec.one("pulumi:providers:aws").urn
