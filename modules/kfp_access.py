"""The identity automation uses for Kubeflow Pipelines: a service account in a profile namespace,
bound to the `kubeflow-pipelines-edit` ClusterRole there.

KFP multi-user authorises a caller with a SubjectAccessReview in the profile namespace; through
the Istio gateway a service-account token becomes `kubeflow-userid: system:serviceaccount:<ns>:<sa>`
(Kubeflow's m2m RequestAuthentication). `kubeflow-pipelines-edit` (installed with KFP) covers
pipelines, versions, experiments, runs and recurring runs, and nothing outside the namespace.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_kubernetes as k8s

from modules.options import child_options

PIPELINES_EDIT_ROLE = "kubeflow-pipelines-edit"


def access_binding(service_account: str, namespace: str) -> dict[str, Any]:
    """The RoleBinding (metadata, roleRef, subjects) granting the account KFP edit in its namespace."""
    return {
        "metadata": {
            "name": f"{service_account}-pipelines-edit",
            "namespace": namespace,
            "labels": {"app.kubernetes.io/part-of": "kfstack"},
        },
        "roleRef": {
            "apiGroup": "rbac.authorization.k8s.io",
            "kind": "ClusterRole",
            "name": PIPELINES_EDIT_ROLE,
        },
        "subjects": [{"kind": "ServiceAccount", "name": service_account, "namespace": namespace}],
    }


@dataclass(frozen=True)
class KfpAccessArgs:
    """The account and its profile namespace (which must exist: pass it in `opts.depends_on`)."""

    service_account: str
    namespace: str


class KfpAccess(pulumi.ComponentResource):
    """ServiceAccount + RoleBinding to kubeflow-pipelines-edit in the profile namespace.

    Children are named after the component (`<name>-<account>`, `<name>-<binding>`), so one
    component per profile namespace gives unique URNs.
    """

    def __init__(self, name: str, args: KfpAccessArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("kfstack:kfp:Access", name, None, opts)
        child = child_options(self, opts)
        account = k8s.core.v1.ServiceAccount(
            f"{name}-{args.service_account}",
            metadata=k8s.meta.v1.ObjectMetaArgs(
                name=args.service_account,
                namespace=args.namespace,
                labels={"app.kubernetes.io/part-of": "kfstack"},
            ),
            opts=child,
        )
        binding = access_binding(args.service_account, args.namespace)
        k8s.rbac.v1.RoleBinding(
            f"{name}-{binding['metadata']['name']}",
            metadata=binding["metadata"],
            role_ref=binding["roleRef"],
            subjects=binding["subjects"],
            opts=pulumi.ResourceOptions.merge(child, pulumi.ResourceOptions(depends_on=[account])),
        )
        self.register_outputs({})
