"""The artifact access role: Pod Identity's trust, exactly the bucket, one association per account."""

from __future__ import annotations

import json

from modules.artifact_access import (
    POD_IDENTITY_PRINCIPAL,
    ArtifactAccess,
    ArtifactAccessArgs,
    ServiceAccountRef,
    bucket_access_policy,
)

BUCKET = "arn:aws:s3:::artifacts-0123"


def test_the_policy_grants_the_bucket_and_its_objects_and_nothing_else() -> None:
    statements = json.loads(bucket_access_policy(BUCKET))["Statement"]
    granted = {(s["Resource"], action) for s in statements for action in s["Action"]}
    assert granted == {
        (BUCKET, "s3:ListBucket"),
        (BUCKET, "s3:GetBucketLocation"),
        (f"{BUCKET}/*", "s3:GetObject"),
        (f"{BUCKET}/*", "s3:PutObject"),
        (f"{BUCKET}/*", "s3:DeleteObject"),
    }
    assert all(s["Effect"] == "Allow" and "Condition" not in s for s in statements)


def test_the_role_trusts_pod_identity_and_each_account_gets_an_association(record) -> None:
    accounts = (ServiceAccountRef("kubeflow", "ml-pipeline"), ServiceAccountRef("team-a", "default-editor"))

    def program() -> None:
        ArtifactAccess("kfp-artifacts", ArtifactAccessArgs("dev-cluster", BUCKET, accounts))

    recording = record(program)
    role = recording.one("aws:iam/role:Role")
    (statement,) = json.loads(role.inputs["assumeRolePolicy"])["Statement"]
    assert statement == {
        "Effect": "Allow",
        "Principal": {"Service": POD_IDENTITY_PRINCIPAL},
        "Action": ["sts:AssumeRole", "sts:TagSession"],
    }
    policy = recording.one("aws:iam/rolePolicy:RolePolicy")
    assert policy.inputs["policy"] == bucket_access_policy(BUCKET)
    associations = recording.find("aws:eks/podIdentityAssociation:PodIdentityAssociation")
    assert {(a.inputs["namespace"], a.inputs["serviceAccount"]) for a in associations} == {
        (a.namespace, a.name) for a in accounts
    }
    for association in associations:
        assert association.inputs["clusterName"] == "dev-cluster"
        assert policy.urn in association.dependencies  # credentials work once the policy is attached


def test_the_prefix_read_policy_allows_reading_below_the_prefix_and_nothing_wider() -> None:
    from modules.artifact_access import prefix_read_policy
    from modules.vocabulary import MODEL_ARTIFACT_PREFIX

    statements = json.loads(prefix_read_policy(BUCKET, MODEL_ARTIFACT_PREFIX))["Statement"]
    assert all(s["Effect"] == "Allow" for s in statements)
    by_action = {s["Action"]: s for s in statements}
    assert set(by_action) == {"s3:ListBucket", "s3:GetObject"}  # no write, no delete, no wildcard
    get, listing = by_action["s3:GetObject"], by_action["s3:ListBucket"]
    assert get["Resource"] == f"{BUCKET}/mlflow/*"
    assert "Condition" not in get
    assert listing["Resource"] == BUCKET
    assert listing["Condition"] == {"StringLike": {"s3:prefix": ["mlflow/*"]}}


def test_the_role_takes_the_policy_its_args_name(record) -> None:
    from modules.artifact_access import prefix_read_policy

    def program() -> None:
        ArtifactAccess(
            "model-artifacts",
            ArtifactAccessArgs(
                "dev-cluster",
                BUCKET,
                (ServiceAccountRef("team-a", "kfstack-model-server"),),
                policy=lambda arn: prefix_read_policy(arn, "mlflow"),
            ),
        )

    recording = record(program)
    policy = recording.one("aws:iam/rolePolicy:RolePolicy")
    assert policy.inputs["policy"] == prefix_read_policy(BUCKET, "mlflow")
