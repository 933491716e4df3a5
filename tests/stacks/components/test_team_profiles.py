"""The team profiles builder: a Profile per `kfstack:profiles` entry of every shipped environment,
valid against the CRDs, after what installs them; and in the program's order, the pipelines'
namespace as a profile: no Namespace from kfstack, claims and KFP objects after the profile."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pulumi
import pulumi_kubernetes as k8s
import pytest

from kfstack.plan.checks import check_plan
from kfstack.plan.recorder import record_program
from stacks.components import absent_components
from stacks.components.artifact_bucket import build_artifact_bucket
from stacks.components.aws import build_aws
from stacks.components.cluster import Cluster, build_cluster
from stacks.components.eks_addons import build_eks_addons, build_network_addons
from stacks.components.gpu import build_gpu_support
from stacks.components.karpenter import build_karpenter
from stacks.components.kfp_resources import build_kfp_resources
from stacks.components.namespaces import build_namespaces
from stacks.components.network import build_network
from stacks.components.node_groups import build_node_groups
from stacks.components.storage import build_storage
from stacks.components.team_profiles import SPEC, build_team_profiles, team_profile_args
from stacks.components.volumes import build_volumes
from stacks.config.environment import EnvironmentConfig
from stacks.context import StackContext

ENVIRONMENTS = ("local", "dev", "staging", "prod")
PROFILE = "kubernetes:kubeflow.org/v1:Profile"


def _crd(group: str, kind: str, cluster: Cluster) -> k8s.apiextensions.v1.CustomResourceDefinition:
    """Stands in for the install (kubeflow/manifests, Istio) that owns `group`; integration passes that."""
    plural = f"{kind.lower()}s"
    return k8s.apiextensions.v1.CustomResourceDefinition(
        f"crd-{plural}",
        metadata={"name": f"{plural}.{group}"},
        spec={
            "group": group,
            "names": {"kind": kind, "plural": plural},
            "scope": "Namespaced",
            "versions": [{"name": "v1", "served": True, "storage": True}],
        },
        opts=cluster.options(),
    )


def _platform_with_profiles(environment: str, config: EnvironmentConfig) -> None:
    """stacks/program.py's order with the team profiles after their CRDs, as the integration wires it."""
    stack = StackContext(environment, config)
    aws = build_aws(stack)
    cluster = build_cluster(stack, aws, build_network(stack, aws))
    network_addons = build_network_addons(stack, cluster)
    node_groups = build_node_groups(stack, cluster, after=network_addons)
    addons = [*network_addons, *build_eks_addons(stack, cluster, node_groups)]
    compute = [*node_groups, *addons, *build_karpenter(stack, cluster, compute=[*node_groups, *addons])]
    placements = build_gpu_support(stack, cluster, after=addons)
    storage = build_storage(stack, cluster, after=addons)
    build_artifact_bucket(stack, aws)
    namespaces: dict[str, pulumi.Resource] = dict(build_namespaces(stack, cluster))
    after: Sequence[pulumi.Resource] = [
        _crd("kubeflow.org", "Profile", cluster),
        _crd("security.istio.io", "AuthorizationPolicy", cluster),
    ]
    namespaces.update(build_team_profiles(stack, cluster, after=after))
    claims = build_volumes(stack, cluster, storage, namespaces, compute)
    build_kfp_resources(stack, cluster, namespaces, placements, claims)


def _record(environment: str, config: EnvironmentConfig):
    return record_program(lambda: _platform_with_profiles(environment, config), stack=environment).resources


@pytest.mark.parametrize("environment", ENVIRONMENTS)
def test_each_declared_profile_is_planned_and_every_object_validates(
    environment: str, env_config, crd_dir: Path
) -> None:
    config = env_config(environment)
    resources = _record(environment, config)
    assert [p.render() for p in check_plan(resources, config.cluster.kubernetes_version, crd_dir)] == []
    profiles = {r.inputs["metadata"]["name"]: r for r in resources if r.type == PROFILE}
    assert set(profiles) == {p.name for p in config.profiles} == {"kubeflow-user"}
    for declared in config.profiles:
        spec = profiles[declared.name].inputs["spec"]
        assert spec["owner"] == {"kind": "User", "name": declared.owner}
        assert spec.get("resourceQuotaSpec", {}).get("hard", {}) == declared.resource_quota


def test_the_pipelines_profile_replaces_the_namespace_and_claims_and_kfp_wait_for_it(env_config) -> None:
    config = env_config("local")
    resources = _record("local", config)
    by_type = {}
    for r in resources:
        by_type.setdefault(r.type, []).append(r)
    names = {n.inputs["metadata"]["name"] for n in by_type["kubernetes:core/v1:Namespace"]}
    assert "kubeflow-user" not in names and "kubeflow" in names  # the controller creates it
    (profile,) = by_type[PROFILE]
    (account,) = by_type["kubernetes:core/v1:ServiceAccount"]
    (binding,) = by_type["kubernetes:rbac.authorization.k8s.io/v1:RoleBinding"]
    assert account.inputs["metadata"] == {
        "name": "kfstack-pipelines",
        "namespace": "kubeflow-user",
        "labels": {"app.kubernetes.io/part-of": "kfstack"},
    }
    assert binding.inputs["roleRef"]["name"] == "kubeflow-pipelines-edit"
    assert profile.urn in account.dependencies
    for claim in by_type["kubernetes:core/v1:PersistentVolumeClaim"]:
        assert profile.urn in claim.dependencies
    kfp = [r for r in resources if r.type.startswith("pulumi-python:dynamic/kfp:")]
    assert kfp and all({profile.urn, account.urn, binding.urn} <= set(r.dependencies) for r in kfp)
    # only the profile's: kfp_resources creates no second one
    assert [r.name for r in by_type["kfstack:kfp:Access"]] == ["kubeflow-user-kfp-access"]


def test_every_profile_gets_the_automation_account_only_with_service_account_tokens(env_config) -> None:
    def two_teams(values: dict) -> None:
        values["profiles"].append(
            {"name": "team-b", "owner": "b@example.com", "contributors": ["c@example.com"]}
        )

    args = team_profile_args(env_config("local", two_teams))
    assert [(a.name, a.automation_account) for a in args] == [
        ("kubeflow-user", "kfstack-pipelines"),
        ("team-b", "kfstack-pipelines"),
    ]
    assert args[1].contributors == ("c@example.com",)

    def no_auth(values: dict) -> None:
        values["pipelines"]["kfp"]["auth"] = {"mode": "none"}

    assert [a.automation_account for a in team_profile_args(env_config("local", no_auth))] == [None]


def test_profiles_off_means_no_profiles_and_the_namespace_is_kfstacks_again(env_config) -> None:
    def off(values: dict) -> None:
        for key in ("profiles", "kubeflowPipelines", "centralDashboard"):
            values["components"][key] = {"enabled": False}
        values.pop("profiles")

    config = env_config("local", off)
    assert team_profile_args(config) == []
    resources = _record("local", config)
    assert not [r for r in resources if r.type == PROFILE]
    names = {r.inputs["metadata"]["name"] for r in resources if r.type == "kubernetes:core/v1:Namespace"}
    assert "kubeflow-user" in names
    assert [r.name for r in resources if r.type == "kfstack:kfp:Access"] == ["kfp-access"]


def test_the_builder_does_not_claim_the_profiles_switch(env_config) -> None:
    # the controller's builder owns `components.profiles` (one SPEC per key); this one declares none
    assert SPEC.key is None
    assert "profiles" not in {a.key for a in absent_components(env_config("local"))}
