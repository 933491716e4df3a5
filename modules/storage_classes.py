"""StorageClasses on EKS: gp3 EBS (ReadWriteOnce, the cluster default) and EFS (ReadWriteMany)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_kubernetes as k8s

from modules.options import child_options
from modules.vocabulary import ReclaimPolicy

DEFAULT_CLASS_ANNOTATION = "storageclass.kubernetes.io/is-default-class"


def gp3_storage_class(name: str, default: bool, reclaim_policy: ReclaimPolicy) -> dict[str, Any]:
    """gp3 EBS class: encrypted, WaitForFirstConsumer (the volume follows the pod's AZ).

    EKS >= 1.30 no longer marks any class as default, so claims without a class would hang.
    """
    metadata: dict[str, Any] = {"name": name}
    if default:
        metadata["annotations"] = {DEFAULT_CLASS_ANNOTATION: "true"}
    return {
        "metadata": metadata,
        "provisioner": "ebs.csi.aws.com",
        "parameters": {"type": "gp3", "encrypted": "true", "csi.storage.k8s.io/fstype": "ext4"},
        "reclaimPolicy": reclaim_policy,
        "volumeBindingMode": "WaitForFirstConsumer",
        "allowVolumeExpansion": True,
    }


def efs_storage_class(
    name: str, file_system_id: pulumi.Input[str], directory_perms: str, reclaim_policy: ReclaimPolicy
) -> dict[str, Any]:
    """EFS class: one access point per claim (dynamic provisioning), ReadWriteMany."""
    return {
        "metadata": {"name": name},
        "provisioner": "efs.csi.aws.com",
        "parameters": {
            "provisioningMode": "efs-ap",
            "fileSystemId": file_system_id,
            "directoryPerms": directory_perms,
            "basePath": "/kfstack",
        },
        "reclaimPolicy": reclaim_policy,
        "volumeBindingMode": "Immediate",
    }


@dataclass(frozen=True)
class StorageClassesArgs:
    """The two classes; the CSI drivers (EKS addons) and EFS mount targets go in `opts.depends_on`."""

    ebs_class: str
    ebs_default: bool
    ebs_reclaim_policy: ReclaimPolicy
    efs_class: str
    efs_file_system_id: pulumi.Input[str]
    efs_directory_perms: str
    efs_reclaim_policy: ReclaimPolicy


class StorageClasses(pulumi.ComponentResource):
    """gp3 and EFS StorageClasses; `rwo_class` and `rwx_class` name them for claims."""

    rwo_class: str
    rwx_class: str

    def __init__(
        self, name: str, args: StorageClassesArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("kfstack:storage:StorageClasses", name, None, opts)
        child = child_options(self, opts)
        manifests = (
            gp3_storage_class(args.ebs_class, args.ebs_default, args.ebs_reclaim_policy),
            efs_storage_class(
                args.efs_class, args.efs_file_system_id, args.efs_directory_perms, args.efs_reclaim_policy
            ),
        )
        for manifest in manifests:
            k8s.storage.v1.StorageClass(
                manifest["metadata"]["name"],
                metadata=manifest["metadata"],
                provisioner=manifest["provisioner"],
                parameters=manifest["parameters"],
                reclaim_policy=manifest["reclaimPolicy"],
                volume_binding_mode=manifest["volumeBindingMode"],
                allow_volume_expansion=manifest.get("allowVolumeExpansion"),
                opts=child,
            )
        self.rwo_class = args.ebs_class
        self.rwx_class = args.efs_class
        self.register_outputs({})
