"""KustomizeInstall: every object of the kustomization becomes a resource, CRDs first; omitted objects
are not installed; the component's depends_on reaches every object; `ready` resolves to all of them."""

from __future__ import annotations

from pathlib import Path

import pulumi
import pulumi_kubernetes as k8s
import yaml

from modules.kustomize import KustomizeInstall, KustomizeInstallArgs, ObjectRef

CRD = {
    "apiVersion": "apiextensions.k8s.io/v1",
    "kind": "CustomResourceDefinition",
    "metadata": {"name": "widgets.example.com"},
    "spec": {
        "group": "example.com",
        "names": {"kind": "Widget", "plural": "widgets"},
        "scope": "Namespaced",
        "versions": [
            {"name": "v1", "served": True, "storage": True, "schema": {"openAPIV3Schema": {"type": "object"}}}
        ],
    },
}
WIDGET = {"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "w", "namespace": "demo"}}
DROPPED = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "dropped", "namespace": "demo"}}
KEPT = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "kept", "namespace": "demo"}}


def _kustomization(tmp_path: Path) -> Path:
    (tmp_path / "objects.yaml").write_text(yaml.safe_dump_all([WIDGET, DROPPED, KEPT, CRD]))
    (tmp_path / "kustomization.yaml").write_text(yaml.safe_dump({"resources": ["objects.yaml"]}))
    return tmp_path


def _label(obj: dict) -> None:
    obj.setdefault("metadata", {}).setdefault("labels", {})["kfstack.io/edited"] = "yes"


def test_objects_crds_first_omissions_and_options(record, tmp_path) -> None:
    ready: list[list[str]] = []

    def program() -> None:
        before = k8s.core.v1.Namespace("before", metadata={"name": "demo"})
        install = KustomizeInstall(
            "demo",
            KustomizeInstallArgs(
                str(_kustomization(tmp_path)),
                omit=(ObjectRef("ConfigMap", "dropped", "demo"),),
                transformations=(_label,),
            ),
            opts=pulumi.ResourceOptions(depends_on=[before]),
        )
        install.ready.apply(lambda found: ready.append(sorted(r._name for r in found)))

    rec = record(program)
    names = {r.name for r in rec.resources if r.custom}
    assert names == {"before", "demo-widgets.example.com", "demo-demo/w", "demo-demo/kept"}
    crd, widget, kept = (rec.named(n) for n in ("demo-widgets.example.com", "demo-demo/w", "demo-demo/kept"))
    before = rec.named("before").urn
    assert before in crd.dependencies and before in widget.dependencies and before in kept.dependencies
    assert crd.urn in widget.dependencies  # the custom resource waits for its CRD
    assert widget.inputs["metadata"]["labels"] == {"kfstack.io/edited": "yes"}
    assert rec.named("demo-crds").urn == crd.parent and rec.named("demo-objects").urn == widget.parent
    assert ready == [["demo-demo/kept", "demo-demo/w", "demo-widgets.example.com"]]


def test_a_remote_source_plans_no_objects_and_warns(record) -> None:
    url = "https://github.com/kubeflow/manifests//common/kubeflow-roles/base?ref=26.03"
    rec = record(lambda: KustomizeInstall("remote", KustomizeInstallArgs(url)))
    assert [r.name for r in rec.resources if r.custom] == []
    assert any(f"manifests come from {url}; set components.manifestsDirectory" in w for w in rec.warnings)
