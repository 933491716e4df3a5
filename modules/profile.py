"""A team's Kubeflow profile: the `Profile` the profile controller turns into a namespace (owner,
quota), the contributors' access as Kubeflow's access manager (KFAM) grants it, and the identity
automation uses to manage pipelines there.

A contributor gets what KFAM creates when an owner adds one in the dashboard
(kubeflow/dashboard `components/access-management/kfam/bindings.go`): a RoleBinding to
`kubeflow-edit` and an Istio AuthorizationPolicy, both named `user-<email>-clusterrole-edit` and
annotated `user`/`role`, so the dashboard lists them as contributors. The policy admits requests
from the ingress gateway and the KFP UI whose `kubeflow-userid` header (set from the Dex token's
`email` claim) is the contributor, exactly like the owner's `ns-owner-access-istio`.

The automation account calls the KFP API in the `kubeflow` namespace, never a workload in the
profile namespace, so it needs RBAC there (KFP's SubjectAccessReview) but no AuthorizationPolicy.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import pulumi
import pulumi_kubernetes as k8s

from modules.kfp_access import KfpAccess, KfpAccessArgs
from modules.options import child_options

CONTRIBUTOR_ROLE = "kubeflow-edit"
"""The ClusterRole KFAM binds for its `edit` role (kubeflow-roles)."""
USER_ID_HEADER = "kubeflow-userid"
"""The header the gateway's RequestAuthentications fill with the caller (Dex `email`, or an SA `sub`)."""
INGRESS_GATEWAY_PRINCIPAL = "cluster.local/ns/istio-system/sa/istio-ingressgateway-service-account"
KFP_UI_PRINCIPAL = "cluster.local/ns/kubeflow/sa/ml-pipeline-ui"
"""The mesh identities KFAM and the profile controller admit user requests from (profiles-config)."""

PROFILE_RECONCILED = "jsonpath={.metadata.finalizers[0]}=profile-finalizer"
"""When the profile controller is done with a Profile.

The controller sets no success condition (it appends a `Failed` condition on errors only); the
last step of a successful reconcile adds `profile-finalizer`, after the namespace, its
AuthorizationPolicy, service accounts, owner RoleBinding and quota exist. pulumi-kubernetes
(>= 4.18) waits on the `pulumi.com/waitFor` annotation, so whatever depends on the Profile is
created only once its namespace exists; a failed reconcile times out the `up` instead.
"""

_NOT_ALNUM = re.compile(r"[^a-z0-9]+")


def contributor_binding_name(email: str) -> str:
    """KFAM's name for an `edit` binding of user `email`: `user-<email, non-alnum as ->-clusterrole-edit`."""
    return _NOT_ALNUM.sub("-", f"user-{email}-clusterrole-edit".lower())


@dataclass(frozen=True)
class TeamProfileArgs:
    """One profile from config; `automation_account` is the KFP automation identity, if any."""

    name: str
    owner: str
    contributors: tuple[str, ...]
    resource_quota: Mapping[str, str] = field(default_factory=dict)
    automation_account: str | None = None


def profile_manifest(args: TeamProfileArgs) -> dict[str, Any]:
    """The `kubeflow.org/v1` Profile (metadata + spec); the quota only when limits are given."""
    spec: dict[str, Any] = {"owner": {"kind": "User", "name": args.owner}}
    if args.resource_quota:
        spec["resourceQuotaSpec"] = {"hard": dict(args.resource_quota)}
    return {
        "metadata": {
            "name": args.name,
            "labels": {"app.kubernetes.io/part-of": "kfstack"},
            "annotations": {"pulumi.com/waitFor": PROFILE_RECONCILED},
        },
        "spec": spec,
    }


def _kfam_metadata(email: str, namespace: str) -> dict[str, Any]:
    return {
        "name": contributor_binding_name(email),
        "namespace": namespace,
        "labels": {"app.kubernetes.io/part-of": "kfstack"},
        # read back by KFAM's binding list: the dashboard shows the user as a contributor
        "annotations": {"user": email, "role": "edit"},
    }


def contributor_binding(email: str, namespace: str) -> dict[str, Any]:
    """The RoleBinding (metadata, roleRef, subjects) KFAM creates for an `edit` contributor."""
    return {
        "metadata": _kfam_metadata(email, namespace),
        "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": CONTRIBUTOR_ROLE},
        "subjects": [{"apiGroup": "rbac.authorization.k8s.io", "kind": "User", "name": email}],
    }


def contributor_policy(email: str, namespace: str) -> dict[str, Any]:
    """The AuthorizationPolicy (metadata, spec) KFAM creates beside the binding."""
    return {
        "metadata": _kfam_metadata(email, namespace),
        "spec": {
            "rules": [
                {
                    "when": [{"key": f"request.headers[{USER_ID_HEADER}]", "values": [email]}],
                    "from": [{"source": {"principals": [INGRESS_GATEWAY_PRINCIPAL, KFP_UI_PRINCIPAL]}}],
                }
            ]
        },
    }


class TeamProfile(pulumi.ComponentResource):
    """Profile + contributors' bindings and policies + the automation identity, in that order.

    `profile` is the Profile; everything else waits for it (its namespace appears only once the
    controller has reconciled it). Depending on the component waits for all of it.
    """

    profile: k8s.apiextensions.CustomResource

    def __init__(self, name: str, args: TeamProfileArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("kfstack:kubeflow:TeamProfile", name, None, opts)
        child = child_options(self, opts)
        manifest = profile_manifest(args)
        self.profile = k8s.apiextensions.CustomResource(
            f"profile-{args.name}",
            api_version="kubeflow.org/v1",
            kind="Profile",
            metadata=manifest["metadata"],
            spec=manifest["spec"],
            opts=child,
        )
        inside = pulumi.ResourceOptions.merge(child, pulumi.ResourceOptions(depends_on=[self.profile]))
        for email in args.contributors:
            binding = contributor_binding(email, args.name)
            k8s.rbac.v1.RoleBinding(
                f"{args.name}-{binding['metadata']['name']}",
                metadata=binding["metadata"],
                role_ref=binding["roleRef"],
                subjects=binding["subjects"],
                opts=inside,
            )
            policy = contributor_policy(email, args.name)
            k8s.apiextensions.CustomResource(
                f"{args.name}-{policy['metadata']['name']}",
                api_version="security.istio.io/v1",
                kind="AuthorizationPolicy",
                metadata=policy["metadata"],
                spec=policy["spec"],
                opts=inside,
            )
        if args.automation_account is not None:
            KfpAccess(
                f"{args.name}-kfp-access", KfpAccessArgs(args.automation_account, args.name), opts=inside
            )
        self.register_outputs({})
