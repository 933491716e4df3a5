"""Mutual TLS for one namespace of injected workloads: STRICT for all of them, PERMISSIVE only on the
ports of selected workloads that clients outside the mesh must reach, each exception with its reason.

Istio applies a PeerAuthentication to the inbound side of sidecars only: a pod without a sidecar is
not affected, and port-level settings need a workload selector. Ports are the workload's own
(container) ports, not Service ports.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import pulumi
import pulumi_kubernetes as k8s

from modules.options import child_options

REASON_ANNOTATION = "kfstack.io/plaintext-reason"
"""Why the selected workload accepts plaintext on the listed ports (on each exception)."""


@dataclass(frozen=True)
class PlaintextPorts:
    """Ports of the pods matching `selector` that accept plaintext, and why."""

    name: str
    """The PeerAuthentication's name."""
    selector: Mapping[str, str]
    ports: tuple[int, ...]
    reason: str


@dataclass(frozen=True)
class MeshMtlsArgs:
    """The namespace (its pods injected) and the exceptions to STRICT in it."""

    namespace: str
    exceptions: tuple[PlaintextPorts, ...] = field(default_factory=tuple)


def strict_spec() -> dict[str, Any]:
    """Namespace-wide (no selector): every injected workload in the namespace requires mutual TLS."""
    return {"mtls": {"mode": "STRICT"}}


def exception_spec(exception: PlaintextPorts) -> dict[str, Any]:
    """STRICT for the selected pods but PERMISSIVE on the exception's ports."""
    if not exception.ports:
        raise ValueError(f"PeerAuthentication {exception.name}: no ports to make PERMISSIVE")
    return {
        "selector": {"matchLabels": dict(exception.selector)},
        "mtls": {"mode": "STRICT"},
        "portLevelMtls": {str(port): {"mode": "PERMISSIVE"} for port in exception.ports},
    }


class MeshMtls(pulumi.ComponentResource):
    """The namespace's STRICT `default` PeerAuthentication, created after its exceptions so no pod
    is ever STRICT on a port that must accept plaintext. `opts` must carry the Istio CRDs' installer."""

    def __init__(self, name: str, args: MeshMtlsArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("kfstack:mesh:MutualTls", name, None, opts)
        child = child_options(self, opts)
        exceptions = [
            k8s.apiextensions.CustomResource(
                f"{name}-{exception.name}",
                api_version="security.istio.io/v1",
                kind="PeerAuthentication",
                metadata=k8s.meta.v1.ObjectMetaArgs(
                    name=exception.name,
                    namespace=args.namespace,
                    annotations={REASON_ANNOTATION: exception.reason},
                ),
                spec=exception_spec(exception),
                opts=child,
            )
            for exception in args.exceptions
        ]
        k8s.apiextensions.CustomResource(
            f"{name}-strict",
            api_version="security.istio.io/v1",
            kind="PeerAuthentication",
            metadata=k8s.meta.v1.ObjectMetaArgs(name="default", namespace=args.namespace),
            spec=strict_spec(),
            opts=pulumi.ResourceOptions.merge(child, pulumi.ResourceOptions(depends_on=exceptions)),
        )
        self.register_outputs({})
