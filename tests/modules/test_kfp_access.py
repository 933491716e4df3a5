"""The automation identity for KFP: a service account bound to kubeflow-pipelines-edit."""

from __future__ import annotations

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
    account = rec.one("kubernetes:core/v1:ServiceAccount", "kfstack-pipelines")
    binding = rec.one("kubernetes:rbac.authorization.k8s.io/v1:RoleBinding", "kfstack-pipelines-pipelines-edit")
    assert account.inputs["metadata"]["namespace"] == "team-a"
    assert namespace in account.dependencies and {namespace, account.urn} <= set(binding.dependencies)
