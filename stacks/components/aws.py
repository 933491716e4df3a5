"""The AWS provider of an EKS environment: its region, and default tags on every AWS resource."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import pulumi

from stacks.component_spec import ComponentSpec
from stacks.context import StackContext

if TYPE_CHECKING:
    import pulumi_aws as aws

SPEC = ComponentSpec(
    name="aws",
    summary="AWS provider in the environment's region, tagging every resource with the environment",
)


@dataclass(frozen=True)
class AwsAccount:
    """The explicit AWS provider every AWS resource of the stack uses."""

    provider: aws.Provider
    region: str

    def options(self) -> pulumi.ResourceOptions:
        """Options placing a component on this provider."""
        return pulumi.ResourceOptions(providers=[self.provider])


def build_aws(stack: StackContext) -> AwsAccount | None:
    """The AWS provider for an EKS environment; None for an existing cluster (no AWS resources)."""
    eks = stack.config.cluster.eks
    if eks is None:
        return None
    import pulumi_aws as aws  # only EKS environments pay for importing the AWS SDK

    tags = {"kfstack.io/environment": stack.environment, "kfstack.io/cluster": stack.cluster_name}
    provider = aws.Provider("aws", region=eks.region, default_tags=aws.ProviderDefaultTagsArgs(tags=tags))
    return AwsAccount(provider, eks.region)
