"""Monitoring in the plan: its resources behind the login, and its volumes' protection in prod."""

from __future__ import annotations

from pathlib import Path

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
