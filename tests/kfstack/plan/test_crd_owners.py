"""CRD owners come from the components' declarations: the declared chart, or the CRD object itself."""

from __future__ import annotations

import pulumi_kubernetes as k8s

from kfstack.plan.crd_owners import charts_installing, owners_of
from kfstack.plan.recorder import record_program
from stacks.components.karpenter import SPEC as KARPENTER


def test_the_declared_chart_owns_the_declared_groups() -> None:
    assert charts_installing("karpenter.sh") == list(KARPENTER.charts)
    assert charts_installing("example.com") == []


def test_only_a_release_of_the_declared_chart_or_a_crd_of_the_group_is_an_owner() -> None:

    def program() -> None:
        k8s.helm.v3.Release("declared", chart="oci://public.ecr.aws/karpenter/karpenter", version="1.14.0")
        k8s.helm.v3.Release("same-name-elsewhere", chart="karpenter", version="1.14.0",
                            repository_opts=k8s.helm.v3.RepositoryOptsArgs(repo="https://example.com/charts"))
        k8s.apiextensions.v1.CustomResourceDefinition(
            "nodepools",
            metadata={"name": "nodepools.karpenter.sh"},
            spec={
                "group": "karpenter.sh",
                "names": {"kind": "NodePool", "plural": "nodepools"},
                "scope": "Cluster",
                "versions": [],
            },
        )

    resources = record_program(program, stack="t").resources
    owners = {r.name for r in resources if r.urn in owners_of("karpenter.sh", resources)}
    assert owners == {"declared", "nodepools"}


def test_a_crd_object_owns_only_its_own_kind_in_a_shared_group() -> None:
    def crd(plural: str, kind: str) -> None:
        k8s.apiextensions.v1.CustomResourceDefinition(
            plural,
            metadata={"name": f"{plural}.kubeflow.org"},
            spec={
                "group": "kubeflow.org",
                "names": {"kind": kind, "plural": plural},
                "scope": "Cluster",
                "versions": [],
            },
        )

    def program() -> None:
        crd("profiles", "Profile")
        crd("poddefaults", "PodDefault")

    resources = record_program(program, stack="t").resources
    assert {r.name for r in resources if r.urn in owners_of("kubeflow.org", resources, "Profile")} == {
        "profiles"
    }
    assert len(owners_of("kubeflow.org", resources)) == 2
