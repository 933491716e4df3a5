"""`kfstack:profiles` as Kubeflow profiles: one `Profile` per team with its contributors and, where
kfstack authenticates with a service-account token, the automation identity for KFP.

Part of the `profiles` switch, whose controller another builder installs; this SPEC has no key of
its own, so `components.profiles` is reported as installed by that builder alone (keys are unique).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pulumi

from stacks.component_spec import ComponentSpec
from stacks.components.cluster import Cluster
from stacks.config.environment import EnvironmentConfig
from stacks.context import StackContext

if TYPE_CHECKING:
    from modules.kustomize import Dependencies
    from modules.profile import TeamProfile, TeamProfileArgs

SPEC = ComponentSpec(
    name="team-profiles",
    summary="a Kubeflow Profile per team: owner, contributors (as KFAM grants them), quota, KFP automation",
)


def automation_account(config: EnvironmentConfig) -> str | None:
    """The service account kfstack's KFP automation authenticates as, when it uses one."""
    auth = config.pipelines.kfp.auth
    return auth.service_account if auth.mode == "serviceAccountToken" else None


def team_profile_args(config: EnvironmentConfig) -> list[TeamProfileArgs]:
    """The profiles to create; none while `components.profiles` is off."""
    from modules.profile import TeamProfileArgs

    if not config.profile_namespaces():
        return []
    account = automation_account(config)
    return [
        TeamProfileArgs(
            name=profile.name,
            owner=profile.owner,
            contributors=tuple(profile.contributors),
            resource_quota=dict(profile.resource_quota),
            automation_account=account,
        )
        for profile in config.profiles
    ]


def build_team_profiles(stack: StackContext, cluster: Cluster, after: Dependencies) -> dict[str, TeamProfile]:
    """Profile namespace -> its TeamProfile; objects in that namespace must depend on it.

    `after`: what installs the Profile CRD and the profile controller (and the Istio CRDs).
    """
    from modules.profile import TeamProfile

    opts = pulumi.ResourceOptions.merge(cluster.options(), pulumi.ResourceOptions(depends_on=after))
    return {args.name: TeamProfile(args.name, args, opts=opts) for args in team_profile_args(stack.config)}
