"""PersistentVolumeClaims that pipeline steps mount (the reference workflow's `data`, `models`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_kubernetes as k8s

from modules.options import child_options
from modules.vocabulary import AccessMode


@dataclass(frozen=True)
class VolumeSpec:
    """A PersistentVolumeClaim to create; the claim is named after the volume."""

    name: str
    namespace: str
    size: str
    access_mode: AccessMode
    storage_class: str


def volume_claim(spec: VolumeSpec) -> dict[str, Any]:
    """The PersistentVolumeClaim manifest (metadata + spec) for `spec`."""
    return {
        "metadata": {
            "name": spec.name,
            "namespace": spec.namespace,
            "labels": {"app.kubernetes.io/part-of": "kfstack"},
        },
        "spec": {
            "accessModes": [spec.access_mode],
            "storageClassName": spec.storage_class,
            "resources": {"requests": {"storage": spec.size}},
        },
    }


@dataclass(frozen=True)
class VolumesArgs:
    """The claims; their namespaces and storage classes go in `opts.depends_on`."""

    volumes: tuple[VolumeSpec, ...]


class Volumes(pulumi.ComponentResource):
    """The claims; `claims` maps each volume name to its claim (name, namespace)."""

    claims: dict[str, VolumeSpec]

    def __init__(self, name: str, args: VolumesArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("kfstack:storage:Volumes", name, None, opts)
        child = child_options(self, opts)
        self.claims = {}
        for spec in args.volumes:
            manifest = volume_claim(spec)
            k8s.core.v1.PersistentVolumeClaim(
                f"pvc-{spec.name}", metadata=manifest["metadata"], spec=manifest["spec"], opts=child
            )
            self.claims[spec.name] = spec
        self.register_outputs({})
