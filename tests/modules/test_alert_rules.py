"""Alert rules: a valid PrometheusRule whose expressions use only metrics kfstack's exporters expose."""

from __future__ import annotations

from pathlib import Path

from kfstack.plan.crd_schemas import crd_validation, folder_crd_schema
from modules.alert_rules import alert_expressions, alert_rules_spec
from tests.modules.monitoring_metrics import KNOWN_METRICS, metric_names


def test_rules_cover_failing_inference_services_pending_gpu_pods_and_failed_recurring_runs() -> None:
    alerts = {r["alert"]: r for g in alert_rules_spec()["groups"] for r in g["rules"]}
    assert set(alerts) == {
        "InferenceServiceNotReady",
        "InferenceServiceHighErrorRate",
        "GpuPodPending",
        "RecurringRunFailed",
    }
    assert 'resource="nvidia_com_gpu"' in alerts["GpuPodPending"]["expr"]
    assert 'phase="Pending"' in alerts["GpuPodPending"]["expr"]
    assert 'scheduled_workflow!=""' in alerts["RecurringRunFailed"]["expr"]
    assert all(r["labels"]["severity"] in ("warning", "critical") for r in alerts.values())


def test_every_metric_an_alert_uses_is_exposed_by_an_exporter() -> None:
    for expr in alert_expressions():
        used = metric_names(expr)
        assert used and used <= KNOWN_METRICS, (expr, sorted(used - KNOWN_METRICS))


def test_prometheus_rule_validates_against_its_crd(crd_dir: Path) -> None:
    schema = folder_crd_schema(crd_dir, "monitoring.coreos.com", "PrometheusRule", "v1")
    assert schema is not None
    rule = {
        "apiVersion": "monitoring.coreos.com/v1",
        "kind": "PrometheusRule",
        "metadata": {"name": "kfstack", "namespace": "monitoring"},
        "spec": alert_rules_spec(),
    }
    assert list(crd_validation(rule, schema).errors) == []
