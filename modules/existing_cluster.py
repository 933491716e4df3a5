"""An existing cluster (kind, k3d, minikube, any managed cluster) reached through a kubeconfig."""

from __future__ import annotations

import os
from dataclasses import dataclass

import pulumi
import pulumi_kubernetes as k8s

from modules.options import child_options


@dataclass(frozen=True)
class ExistingClusterArgs:
    """A kubeconfig file and the context in it; never the ambient current context."""

    kubeconfig_path: str
    context: str


class ExistingCluster(pulumi.ComponentResource):
    """The explicit `kubernetes.Provider` every in-cluster resource of the stack uses."""

    provider: k8s.Provider
    kubeconfig_path: str
    """The kubeconfig file, `~` expanded."""
    context: str

    def __init__(
        self, name: str, args: ExistingClusterArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("kfstack:cluster:ExistingCluster", name, None, opts)
        self.kubeconfig_path = os.path.expanduser(args.kubeconfig_path)
        self.context = args.context
        self.provider = k8s.Provider(
            f"{name}-k8s",
            kubeconfig=self.kubeconfig_path,
            context=args.context,
            opts=child_options(self, opts),
        )
        self.register_outputs({})
