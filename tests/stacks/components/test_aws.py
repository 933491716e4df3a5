"""The AWS provider: only EKS environments have one, in their region, tagging every resource."""

from __future__ import annotations

import json

import pytest


@pytest.mark.parametrize(("environment", "region"), [("dev", "us-west-2"), ("prod", "us-east-1")])
def test_eks_environments_get_one_aws_provider_in_their_region_with_default_tags(
    plan, environment: str, region: str
) -> None:
    result = plan(environment)
    (provider,) = result.find("pulumi:providers:aws", "aws")
    assert provider.inputs["region"] == region
    assert json.loads(provider.inputs["defaultTags"]) == {
        "tags": {"kfstack.io/environment": environment, "kfstack.io/cluster": f"kfstack-{environment}"}
    }
    for resource in result.resources:
        if resource.type.startswith("aws:"):
            assert resource.provider == provider.urn, resource.name


def test_an_existing_cluster_has_no_aws_provider_and_no_aws_resources(plan) -> None:
    result = plan("local")
    assert not [r.type for r in result.resources if r.type.startswith("aws:") or "providers:aws" in r.type]
