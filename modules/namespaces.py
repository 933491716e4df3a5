"""Platform namespaces with the labels Istio and Kubeflow expect."""

from __future__ import annotations

from dataclasses import dataclass, field

import pulumi
import pulumi_kubernetes as k8s

from modules.options import child_options


@dataclass(frozen=True)
class NamespaceSpec:
    """One namespace and its labels."""

    name: str
    labels: dict[str, str] = field(default_factory=dict)


RESTRICTED = {"pod-security.kubernetes.io/enforce": "restricted"}


def kubeflow_namespace_labels(istio_enabled: bool) -> dict[str, str]:
    """The labels kubeflow/manifests puts on `kubeflow` (common/kubeflow-namespace), adapted to Istio.

    Not `app.kubernetes.io/part-of: kubeflow-profile`: that marks profile namespaces, and the PodDefault
    webhook (failurePolicy Fail) would then have to admit its own Pods. Pod Security `restricted` only
    without Istio: upstream runs the Istio CNI node agent, kfstack's Istio injects the istio-init
    container, which needs NET_ADMIN and NET_RAW and is rejected under `restricted`.
    """
    if istio_enabled:
        return {"control-plane": "kubeflow", "istio-injection": "enabled"}
    return {"control-plane": "kubeflow", **RESTRICTED}


def platform_namespaces(istio_enabled: bool, pipelines_namespace: str | None) -> list[NamespaceSpec]:
    """The namespaces a kfstack platform needs; sidecar injection only where Istio runs.

    `pipelines_namespace` is None when it is a Kubeflow profile: the profile controller creates
    it and refuses a namespace it did not create ("namespace already exist, but not owned").
    """
    injection = {"istio-injection": "enabled"} if istio_enabled else {}
    specs = [NamespaceSpec("kubeflow", kubeflow_namespace_labels(istio_enabled))]
    if pipelines_namespace is not None:
        specs.append(
            NamespaceSpec(pipelines_namespace, {**injection, "app.kubernetes.io/part-of": "kubeflow-profile"})
        )
    specs.append(NamespaceSpec("kfstack-system"))
    return specs


class PlatformNamespaces(pulumi.ComponentResource):
    """Creates the platform namespaces; `namespaces` maps each name to its Namespace resource."""

    def __init__(
        self, name: str, specs: list[NamespaceSpec], opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("kfstack:platform:Namespaces", name, None, opts)
        child = child_options(self, opts)
        self.namespaces: dict[str, k8s.core.v1.Namespace] = {}
        for spec in specs:
            self.namespaces[spec.name] = k8s.core.v1.Namespace(
                f"ns-{spec.name}",
                metadata=k8s.meta.v1.ObjectMetaArgs(name=spec.name, labels=spec.labels or None),
                opts=child,
            )
        self.register_outputs({})
