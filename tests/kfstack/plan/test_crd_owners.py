"""CRD owners come from the components' declarations: the declared chart, or the CRD object itself."""

from __future__ import annotations

import pulumi_kubernetes as k8s

from kfstack.plan.crd_owners import charts_installing, owners_of, remote_installs_of
from kfstack.plan.recorder import RecordedResource, record_program
from stacks.components.karpenter import SPEC as KARPENTER


def test_the_declared_chart_owns_the_declared_groups() -> None:
    assert charts_installing("karpenter.sh") == list(KARPENTER.charts)
    assert charts_installing("example.com") == []


def test_only_a_release_of_the_declared_chart_or_a_crd_of_the_group_is_an_owner() -> None:

    def program() -> None:
        k8s.helm.v3.Release("declared", chart="oci://public.ecr.aws/karpenter/karpenter", version="1.14.0")
        k8s.helm.v3.Release(
            "same-name-elsewhere",
            chart="karpenter",
            version="1.14.0",
            repository_opts=k8s.helm.v3.RepositoryOptsArgs(repo="https://example.com/charts"),
        )
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


def _recorded(urn: str, type_: str, inputs: dict) -> RecordedResource:
    return RecordedResource(
        urn=urn,
        type=type_,
        name=urn.rsplit("::", 1)[-1],
        parent="",
        custom=False,
        dependencies=[],
        provider="",
        protect=False,
        retain_on_delete=False,
        inputs=inputs,
        secret_paths=[],
    )


def test_a_remote_kustomize_install_is_known_by_the_crds_it_declares() -> None:
    install = _recorded(
        "urn:x::profiles",
        "kfstack:kustomize:Install",
        {
            "source": "https://github.com/kubeflow/manifests//applications/profiles?ref=26.03",
            "declaredCrds": ["profiles.kubeflow.org"],
        },
    )
    other = _recorded("urn:x::roles", "kfstack:kustomize:Install", {"source": "x", "declaredCrds": []})
    assert remote_installs_of("kubeflow.org", [install, other]) == {"urn:x::profiles"}
    assert remote_installs_of("karpenter.sh", [install, other]) == set()
    assert owners_of("kubeflow.org", [install, other], "Profile") == set()  # not an owner that can be checked
