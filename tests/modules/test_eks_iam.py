"""IAM trust policies and roles with attached policies."""

from __future__ import annotations

import json

import pulumi

from modules.eks_iam import irsa_trust_policy, managed_policy_arn, role_with_policies, service_trust_policy


def test_service_trust_policy_lets_the_service_assume_and_tag() -> None:
    (statement,) = json.loads(service_trust_policy("eks.amazonaws.com"))["Statement"]
    assert statement["Principal"] == {"Service": "eks.amazonaws.com"}
    assert statement["Action"] == ["sts:AssumeRole", "sts:TagSession"]


def test_irsa_trust_admits_exactly_one_service_account() -> None:
    policy = json.loads(irsa_trust_policy("arn:oidc", "https://oidc.example/id/X", "kube-system", "sa"))
    statement = policy["Statement"][0]
    assert statement["Principal"] == {"Federated": "arn:oidc"}
    assert statement["Condition"]["StringEquals"] == {
        "oidc.example/id/X:sub": "system:serviceaccount:kube-system:sa",
        "oidc.example/id/X:aud": "sts.amazonaws.com",
    }


def test_managed_policy_arn() -> None:
    assert managed_policy_arn("AmazonEKSClusterPolicy") == "arn:aws:iam::aws:policy/AmazonEKSClusterPolicy"


def test_role_gets_one_attachment_per_policy_and_an_inline_policy(record) -> None:
    def program() -> None:
        role_with_policies(
            "ctrl",
            service_trust_policy("ec2.amazonaws.com"),
            [managed_policy_arn("A"), managed_policy_arn("service-role/B")],
            pulumi.ResourceOptions(),
            inline_policy='{"Version": "2012-10-17", "Statement": []}',
        )

    rec = record(program)
    role = rec.one("aws:iam/role:Role", "ctrl")
    attachments = {a.name: a.inputs["policyArn"] for a in rec.find("aws:iam/rolePolicyAttachment:RolePolicyAttachment")}
    assert attachments == {"ctrl-A": "arn:aws:iam::aws:policy/A", "ctrl-B": "arn:aws:iam::aws:policy/service-role/B"}
    inline = rec.one("aws:iam/rolePolicy:RolePolicy", "ctrl")
    assert role.urn in inline.dependencies


def test_irsa_trust_with_a_wildcard_matches_the_subject_with_string_like_only() -> None:
    policy = json.loads(irsa_trust_policy("arn:oidc", "https://oidc.example/id/X", "kube-system", "efs-csi-*"))
    condition = policy["Statement"][0]["Condition"]
    assert condition["StringLike"] == {"oidc.example/id/X:sub": "system:serviceaccount:kube-system:efs-csi-*"}
    assert condition["StringEquals"] == {"oidc.example/id/X:aud": "sts.amazonaws.com"}
