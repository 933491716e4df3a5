"""Which resources install which CRD groups, so custom resources can be checked to depend on them."""

from __future__ import annotations

from kfstack.plan.recorder import RecordedResource

# CRD API group -> Helm chart names that install it.
CRD_GROUP_CHARTS: dict[str, set[str]] = {
    "karpenter.sh": {"karpenter", "karpenter-crd"},
    "karpenter.k8s.aws": {"karpenter", "karpenter-crd"},
    "cert-manager.io": {"cert-manager"},
    "acme.cert-manager.io": {"cert-manager"},
    "networking.istio.io": {"base"},
    "security.istio.io": {"base"},
    "telemetry.istio.io": {"base"},
    "extensions.istio.io": {"base"},
    "serving.kserve.io": {"kserve-crd", "kserve"},
    "serving.knative.dev": {"knative-serving-crds"},
    "kubeflow.org": {"kubeflow-pipelines", "profiles"},
}


def owners_of(group: str, resources: list[RecordedResource]) -> set[str]:
    """URNs of planned resources that install CRDs of `group`."""
    charts = CRD_GROUP_CHARTS.get(group, set())
    owners: set[str] = set()
    for r in resources:
        is_release = r.type in ("kubernetes:helm.sh/v3:Release", "kubernetes:helm.sh/v4:Chart")
        is_crd = r.type == "kubernetes:apiextensions.k8s.io/v1:CustomResourceDefinition"
        # OCI charts are referenced by URL (oci://public.ecr.aws/karpenter/karpenter): match the last segment
        chart = str(r.inputs.get("chart") or "").rsplit("/", 1)[-1]
        if (is_release and chart in charts) or (
            is_crd and (r.inputs.get("spec") or {}).get("group") == group
        ):
            owners.add(r.urn)
    return owners
