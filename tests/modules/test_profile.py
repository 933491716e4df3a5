"""A team profile: the Profile the controller reconciles, contributors as KFAM grants them (checked
against the upstream roles, header and principals), and the automation identity, all after the Profile."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import kubernetes_validate
import pulumi
import pulumi_kubernetes as k8s
import pytest

from kfstack.plan.crd_schemas import crd_validation, folder_crd_schema
from modules.profile import (
    CONTRIBUTOR_ROLE,
    INGRESS_GATEWAY_PRINCIPAL,
    KFP_UI_PRINCIPAL,
    PROFILE_RECONCILED,
    USER_ID_HEADER,
    TeamProfile,
    TeamProfileArgs,
    contributor_binding,
    contributor_binding_name,
    contributor_policy,
    profile_manifest,
)

TEAM = TeamProfileArgs(
    name="team-a",
    owner="lead@example.com",
    contributors=("ana.lopez@example.com", "Bob+ml@Example.co.uk"),
    resource_quota={"cpu": "32", "requests.nvidia.com/gpu": "4"},
    automation_account="kfstack-pipelines",
)


def _crd_errors(obj: dict[str, Any], crd_dir: Path) -> list[str]:
    group, version = obj["apiVersion"].split("/")
    schema = folder_crd_schema(crd_dir, group, obj["kind"], version)
    assert schema is not None, f"no CRD schema for {obj['apiVersion']} {obj['kind']}"
    return [error.message for error in crd_validation(obj, schema).errors]


def _of_kind(objects: list[dict[str, Any]], kind: str) -> dict[str, dict[str, Any]]:
    return {o["metadata"]["name"]: o for o in objects if o["kind"] == kind}


@pytest.mark.parametrize(
    ("email", "name"),
    [
        ("ana.lopez@example.com", "user-ana-lopez-example-com-clusterrole-edit"),
        ("Bob+ml@Example.co.uk", "user-bob-ml-example-co-uk-clusterrole-edit"),
    ],
)
def test_contributor_objects_are_named_as_kfam_names_an_edit_binding(email: str, name: str) -> None:
    # KFAM: lower(join(User, escape(non-alnum -> "-"), ClusterRole, edit)), non-alnum -> "-"
    assert contributor_binding_name(email) == name


def test_profile_validates_against_the_crd_with_owner_and_quota(crd_dir: Path) -> None:
    manifest = profile_manifest(TEAM)
    obj = {"apiVersion": "kubeflow.org/v1", "kind": "Profile", **manifest}
    assert _crd_errors(obj, crd_dir) == []
    assert manifest["metadata"]["name"] == "team-a"
    assert manifest["spec"]["owner"] == {"kind": "User", "name": "lead@example.com"}
    assert manifest["spec"]["resourceQuotaSpec"] == {"hard": {"cpu": "32", "requests.nvidia.com/gpu": "4"}}
    assert manifest["metadata"]["annotations"] == {"pulumi.com/waitFor": PROFILE_RECONCILED}


def test_a_profile_without_limits_has_no_quota_spec(crd_dir: Path) -> None:
    manifest = profile_manifest(TeamProfileArgs("team-b", "lead@example.com", ()))
    assert "resourceQuotaSpec" not in manifest["spec"]
    assert _crd_errors({"apiVersion": "kubeflow.org/v1", "kind": "Profile", **manifest}, crd_dir) == []


def test_a_bad_quantity_is_rejected_by_the_profile_crd(crd_dir: Path) -> None:
    manifest = profile_manifest(TeamProfileArgs("team-b", "lead@example.com", (), {"cpu": "lots"}))
    assert _crd_errors({"apiVersion": "kubeflow.org/v1", "kind": "Profile", **manifest}, crd_dir)


def test_contributor_binding_grants_the_upstream_kubeflow_edit_role_to_the_user(kubeflow_rendered) -> None:
    binding = contributor_binding("ana.lopez@example.com", "team-a")
    kubernetes_validate.validate(
        {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding", **binding}, "1.34", strict=True
    )
    roles = _of_kind(kubeflow_rendered("common_kubeflow-roles_base"), "ClusterRole")
    assert CONTRIBUTOR_ROLE in roles
    # kubeflow-edit aggregates the pipelines edit role that KFP labels for it
    selector = roles[CONTRIBUTOR_ROLE]["aggregationRule"]["clusterRoleSelectors"][0]["matchLabels"]
    kfp = _of_kind(
        kubeflow_rendered("applications_pipeline_upstream_env_cert-manager_platform-agnostic-multi-user"),
        "ClusterRole",
    )
    assert selector.items() <= kfp["kubeflow-pipelines-edit"]["metadata"]["labels"].items()
    assert binding["roleRef"] == {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "kubeflow-edit"}
    assert binding["subjects"] == [
        {"apiGroup": "rbac.authorization.k8s.io", "kind": "User", "name": "ana.lopez@example.com"}
    ]
    assert binding["metadata"]["namespace"] == "team-a"
    assert binding["metadata"]["annotations"] == {"user": "ana.lopez@example.com", "role": "edit"}


def test_contributor_policy_matches_the_header_dex_sets_and_the_principals_profiles_use(
    crd_dir: Path, kubeflow_rendered
) -> None:
    import yaml

    policy = contributor_policy("ana.lopez@example.com", "team-a")
    obj = {"apiVersion": "security.istio.io/v1", "kind": "AuthorizationPolicy", **policy}
    assert _crd_errors(obj, crd_dir) == []
    (rule,) = policy["spec"]["rules"]
    assert rule["when"] == [{"key": "request.headers[kubeflow-userid]", "values": ["ana.lopez@example.com"]}]
    assert rule["from"] == [{"source": {"principals": [INGRESS_GATEWAY_PRINCIPAL, KFP_UI_PRINCIPAL]}}]
    assert policy["metadata"]["name"] == contributor_binding("ana.lopez@example.com", "team-a")["metadata"]["name"]

    # Dex tokens: the gateway writes the `email` claim into the header the policy reads
    dex = Path(__file__).resolve().parents[3] / "shared" / "kubeflow" / "26.03" / "common" / "oauth2-proxy"
    dex /= "components/istio-external-auth/requestauthentication.dex-jwt.yaml"
    if not dex.is_file():
        pytest.skip(f"{dex} not found")
    (jwt_rule,) = yaml.safe_load(dex.read_text(encoding="utf-8"))["spec"]["jwtRules"]
    assert {"header": USER_ID_HEADER, "claim": "email"} in jwt_rule["outputClaimToHeaders"]

    # KFAM and the profile controller run with these header, prefix and principals
    (config,) = [
        o for o in kubeflow_rendered("applications_profiles_upstream_overlays_kubeflow")
        if o["kind"] == "ConfigMap" and o["metadata"]["name"].startswith("profiles-config")
    ]
    assert config["data"]["USERID_HEADER"] == USER_ID_HEADER
    assert config["data"]["USERID_PREFIX"] == ""  # the header value is the bare e-mail
    assert config["data"]["ISTIO_INGRESS_GATEWAY_PRINCIPAL"] == INGRESS_GATEWAY_PRINCIPAL
    assert config["data"]["KFP_UI_PRINCIPAL"] == KFP_UI_PRINCIPAL


def test_everything_in_the_namespace_waits_for_the_profile(record) -> None:
    def program() -> None:
        provider = k8s.Provider("k8s", kubeconfig="{}")
        before = k8s.core.v1.Namespace("kubeflow", opts=pulumi.ResourceOptions(provider=provider))
        TeamProfile("team-a", TEAM, opts=pulumi.ResourceOptions(providers=[provider], depends_on=[before]))

    rec = record(program)
    before = rec.one("kubernetes:core/v1:Namespace").urn
    profile = rec.one("kubernetes:kubeflow.org/v1:Profile", "profile-team-a")
    assert before in profile.dependencies
    assert profile.inputs["metadata"]["annotations"]["pulumi.com/waitFor"] == PROFILE_RECONCILED
    bindings = rec.find("kubernetes:rbac.authorization.k8s.io/v1:RoleBinding")
    policies = rec.find("kubernetes:security.istio.io/v1:AuthorizationPolicy")
    accounts = rec.find("kubernetes:core/v1:ServiceAccount")
    assert {p.inputs["metadata"]["name"] for p in policies} == {
        "user-ana-lopez-example-com-clusterrole-edit",
        "user-bob-ml-example-co-uk-clusterrole-edit",
    }
    # two contributors + the automation account's binding to kubeflow-pipelines-edit
    assert sorted(b.inputs["roleRef"]["name"] for b in bindings) == [
        "kubeflow-edit", "kubeflow-edit", "kubeflow-pipelines-edit"
    ]
    assert [a.inputs["metadata"] for a in accounts] == [
        {"name": "kfstack-pipelines", "namespace": "team-a", "labels": {"app.kubernetes.io/part-of": "kfstack"}}
    ]
    for resource in [*bindings, *policies, *accounts]:
        assert profile.urn in resource.dependencies, resource.name
        assert resource.inputs["metadata"]["namespace"] == "team-a"
    provider = rec.one("pulumi:providers:kubernetes").urn
    assert all(r.provider == provider for r in [profile, *bindings, *policies, *accounts])


def test_without_an_automation_account_only_contributors_are_added(record) -> None:
    def program() -> None:
        TeamProfile("team-b", TeamProfileArgs("team-b", "lead@example.com", ("ana@example.com",)))

    rec = record(program)
    assert rec.find("kfstack:kfp:Access") == []
    assert len(rec.find("kubernetes:rbac.authorization.k8s.io/v1:RoleBinding")) == 1
