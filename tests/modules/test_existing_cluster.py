"""An existing cluster: the explicit provider names the kubeconfig and context."""

from __future__ import annotations

import os

from modules.existing_cluster import ExistingCluster, ExistingClusterArgs


def test_existing_cluster_provider_names_the_kubeconfig_and_context(record) -> None:
    rec = record(lambda: ExistingCluster("cluster", ExistingClusterArgs("~/.kube/config", "kind-kfstack")))
    provider = rec.one("pulumi:providers:kubernetes", "cluster-k8s")
    assert provider.inputs["context"] == "kind-kfstack"
    assert provider.inputs["kubeconfig"] == os.path.expanduser("~/.kube/config")
    assert provider.parent == rec.one("kfstack:cluster:ExistingCluster").urn
