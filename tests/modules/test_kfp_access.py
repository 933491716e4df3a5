"""The automation identity for KFP: a service account bound to kubeflow-pipelines-edit, which
upstream KFP installs and whose rules let KFP's SubjectAccessReview for that account pass."""

from __future__ import annotations

from typing import Any

import kubernetes_validate
import pulumi
import pulumi_kubernetes as k8s

from modules.kfp_access import PIPELINES_EDIT_ROLE, KfpAccess, KfpAccessArgs, access_binding


def test_binding_grants_pipelines_edit_to_exactly_the_account_in_its_namespace() -> None:
    binding = access_binding("kfstack-pipelines", "team-a")
    kubernetes_validate.validate(
        {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding", **binding}, "1.34", strict=True
    )
    assert binding["roleRef"] == {
        "apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": PIPELINES_EDIT_ROLE
    }
    assert binding["subjects"] == [{"kind": "ServiceAccount", "name": "kfstack-pipelines", "namespace": "team-a"}]
    assert binding["metadata"]["namespace"] == "team-a"


def test_account_and_binding_are_created_in_the_namespace_after_it(record) -> None:
    def program() -> None:
        provider = k8s.Provider("k8s", kubeconfig="{}")
        namespace = k8s.core.v1.Namespace("ns-team-a", opts=pulumi.ResourceOptions(provider=provider))
        KfpAccess(
            "kfp-access",
            KfpAccessArgs("kfstack-pipelines", "team-a"),
            opts=pulumi.ResourceOptions(providers=[provider], depends_on=[namespace]),
        )

    rec = record(program)
    namespace = rec.one("kubernetes:core/v1:Namespace").urn
    account = rec.one("kubernetes:core/v1:ServiceAccount", "kfp-access-kfstack-pipelines")
    binding = rec.one(
        "kubernetes:rbac.authorization.k8s.io/v1:RoleBinding", "kfp-access-kfstack-pipelines-pipelines-edit"
    )
    assert account.inputs["metadata"]["name"] == "kfstack-pipelines"
    assert account.inputs["metadata"]["namespace"] == "team-a"
    assert namespace in account.dependencies and {namespace, account.urn} <= set(binding.dependencies)


def _aggregated_rules(name: str, roles: dict[str, dict[str, Any]], seen: frozenset[str] = frozenset()) -> list:
    """A ClusterRole's rules as the aggregation controller fills them (selectors of labels, recursively)."""
    role = roles[name]
    rules = list(role.get("rules") or [])
    for selector in (role.get("aggregationRule") or {}).get("clusterRoleSelectors", []):
        wanted = selector["matchLabels"].items()
        for other, candidate in roles.items():
            labels = (candidate["metadata"].get("labels") or {}).items()
            if other not in seen | {name} and wanted <= labels:
                rules += _aggregated_rules(other, roles, seen | {name})
    return rules


def _subject_access_review(
    user: str, namespace: str, verb: str, resource: str, binding: dict[str, Any], roles: dict[str, dict]
) -> bool:
    """RBAC's answer for KFP's SubjectAccessReview (user only, group pipelines.kubeflow.org), given one
    RoleBinding: a ServiceAccount subject matches the user `system:serviceaccount:<ns>:<name>`."""
    if binding["metadata"]["namespace"] != namespace:
        return False
    if not any(
        s["kind"] == "ServiceAccount" and user == f"system:serviceaccount:{s['namespace']}:{s['name']}"
        for s in binding["subjects"]
    ):
        return False
    return any(
        {"pipelines.kubeflow.org", "*"} & set(rule["apiGroups"])
        and {resource, "*"} & set(rule["resources"])
        and {verb, "*"} & set(rule["verbs"])
        for rule in _aggregated_rules(binding["roleRef"]["name"], roles)
    )


def test_upstream_pipelines_edit_role_lets_the_account_manage_kfp_objects_in_its_namespace_only(
    kubeflow_rendered,
) -> None:
    objects = kubeflow_rendered("applications_pipeline_upstream_env_cert-manager_platform-agnostic-multi-user")
    roles = {o["metadata"]["name"]: o for o in objects if o["kind"] == "ClusterRole"}
    assert PIPELINES_EDIT_ROLE in roles
    binding = access_binding("kfstack-pipelines", "team-a")
    # the m2m RequestAuthentication puts the token's `sub` into kubeflow-userid; KFP reviews that user
    user = "system:serviceaccount:team-a:kfstack-pipelines"
    needed = {  # what the kfstack KFP providers call: pipelines/versions, experiments, recurring runs (jobs)
        "pipelines": ("create", "get", "list", "delete"),
        "experiments": ("create", "get", "list", "delete"),
        "jobs": ("create", "get", "list", "delete", "enable", "disable"),
        "runs": ("get", "list"),
    }
    for resource, verbs in needed.items():
        for verb in verbs:
            assert _subject_access_review(user, "team-a", verb, resource, binding, roles), (resource, verb)
    assert not _subject_access_review(user, "team-b", "create", "pipelines", binding, roles)
    assert not _subject_access_review("system:serviceaccount:team-a:other", "team-a", "get", "pipelines", binding, roles)
    assert not _subject_access_review(user, "team-a", "create", "viewers", binding, roles)
