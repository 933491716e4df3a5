"""Cluster access: one explicit `kubernetes.Provider` that every in-cluster resource uses."""

from __future__ import annotations

import os
from dataclasses import dataclass

import pulumi
import pulumi_kubernetes as k8s


@dataclass(frozen=True)
class ExistingClusterArgs:
    """A cluster reached through a kubeconfig file and a named context."""

    kubeconfig_path: str
    context: str


class ExistingCluster(pulumi.ComponentResource):
    """An existing cluster (kind, k3d, minikube, any managed cluster); never the ambient context."""

    provider: k8s.Provider

    def __init__(self, name: str, args: ExistingClusterArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("kfstack:cluster:ExistingCluster", name, None, opts)
        self.provider = k8s.Provider(
            f"{name}-k8s",
            kubeconfig=os.path.expanduser(args.kubeconfig_path),
            context=args.context,
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.register_outputs({})
