"""Monitoring and the DCGM exporter in the plan: resources, protection in prod, GPU-only placement."""

from __future__ import annotations

from pathlib import Path

import pytest

from kfstack.plan.binaries import find_tool
from kfstack.plan.helm_template import rendered_release
from stacks.components.dcgm_exporter import SPEC as DCGM_SPEC
from stacks.components.monitoring import RETAINED_CLASS

RELEASE = "kubernetes:helm.sh/v3:Release"
CHARTS = Path(__file__).resolve().parents[3].parent / "shared" / "charts"


def test_monitoring_installs_behind_the_login_with_its_targets_rules_and_dashboards(plan) -> None:
    result = plan("local")
    (release,) = result.find(RELEASE, "monitoring")
    assert release.inputs["namespace"] == "monitoring" and release.inputs["chart"] == "kube-prometheus-stack"
    (route,) = result.find("kubernetes:networking.istio.io/v1:VirtualService", "monitoring-grafana-route")
    assert route.inputs["spec"]["http"][-1]["match"] == [{"uri": {"prefix": "/grafana/"}}]
    (rule,) = result.find("kubernetes:monitoring.coreos.com/v1:PrometheusRule", "kfstack-alerts")
    assert release.urn in rule.dependencies
    assert {r.name for r in result.find("kubernetes:monitoring.coreos.com/v1:PodMonitor")} == {
        "kserve-predictor-sidecars",
        "kserve-predictor-model-servers",
    }
    # local has no GPU pool: the serving dashboard only
    assert [c.name for c in result.find("kubernetes:core/v1:ConfigMap") if c.name.endswith("-dashboard")] == [
        "kfstack-serving-dashboard"
    ]
    secret = result.find("kubernetes:core/v1:Secret", "monitoring-grafana-admin")[0]
    assert secret.inputs["stringData"] == "[secret]"  # the whole map is a secret in the plan


def test_prod_keeps_monitoring_volumes_on_a_retained_protected_class(plan) -> None:
    result = plan("prod")
    (storage_class,) = result.find("kubernetes:storage.k8s.io/v1:StorageClass", "monitoring-storage-class")
    assert storage_class.inputs["reclaimPolicy"] == "Retain" and not storage_class.protect
    (release,) = result.find(RELEASE, "monitoring")
    claim = release.inputs["values"]["prometheus"]["prometheusSpec"]["storageSpec"]["volumeClaimTemplate"][
        "spec"
    ]
    assert claim["storageClassName"] == RETAINED_CLASS
    (grafana_claim,) = result.find("kubernetes:core/v1:PersistentVolumeClaim", "monitoring-grafana-data")
    assert grafana_claim.protect and grafana_claim.retain_on_delete


def test_dev_uses_the_default_class_unprotected(plan) -> None:
    result = plan("dev")
    assert result.find("kubernetes:storage.k8s.io/v1:StorageClass", "monitoring-storage-class") == []
    (grafana_claim,) = result.find("kubernetes:core/v1:PersistentVolumeClaim", "monitoring-grafana-data")
    assert not grafana_claim.protect


def test_without_a_gpu_pool_there_is_no_dcgm_exporter_and_the_plan_says_why(plan) -> None:
    result = plan("local")
    assert result.find(RELEASE, "dcgm-exporter") == []
    assert DCGM_SPEC.skip_reason is not None
    reason = DCGM_SPEC.skip_reason(result.config)
    assert reason and f"components.dcgmExporter is enabled but not installed: {reason}" in result.warnings


def test_dcgm_exporter_renders_a_daemonset_only_for_gpu_nodes(plan) -> None:
    if not CHARTS.is_dir():
        pytest.skip(f"packaged charts not found at {CHARTS}")
    result = plan("dev")
    (release,) = result.find(RELEASE, "dcgm-exporter")
    assert result.find(RELEASE, "monitoring")[0].urn in release.dependencies
    rendered = rendered_release(release, CHARTS, result.config.cluster.kubernetes_version, find_tool("helm"))
    (daemonset,) = [o.manifest for o in rendered.objects if o.manifest["kind"] == "DaemonSet"]
    pod = daemonset["spec"]["template"]["spec"]
    assert pod["nodeSelector"] == {"nvidia.com/gpu.present": "true"}
    assert {"key": "nvidia.com/gpu", "operator": "Exists", "effect": "NoSchedule"} in pod["tolerations"]
    assert "affinity" not in pod
    (monitor,) = [o.manifest for o in rendered.objects if o.manifest["kind"] == "ServiceMonitor"]
    assert monitor["spec"]["endpoints"][0]["honorLabels"] is True
