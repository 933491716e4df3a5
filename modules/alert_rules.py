"""kfstack's alerts as one PrometheusRule: a failing InferenceService, GPU pods that cannot schedule,
a recurring (scheduled) pipeline run whose latest run failed."""

from __future__ import annotations

from typing import Any

import pulumi
import pulumi_kubernetes as k8s

from modules.monitoring import MONITORING_NAMESPACE
from modules.options import child_options

# `inferenceservice` is relabelled from the predictor pods' label (modules/scrape_targets.py);
# the kfstack_* series come from kube-state-metrics' custom-resource config there.
INFERENCE_SERVICE_NOT_READY = 'kfstack_inferenceservice_status_condition{type="Ready"} == 0'
INFERENCE_SERVICE_ERRORS = (
    'sum by (namespace, inferenceservice) (rate(istio_requests_total{reporter="destination", '
    'inferenceservice!="", response_code=~"5.."}[5m]))'
    ' / sum by (namespace, inferenceservice) (rate(istio_requests_total{reporter="destination", '
    'inferenceservice!=""}[5m])) > 0.05'
)
GPU_PODS_PENDING = (
    'sum by (namespace, pod) (kube_pod_status_phase{phase="Pending"} == 1)'
    " * on (namespace, pod) group_left() "
    'max by (namespace, pod) (kube_pod_container_resource_requests{resource="nvidia_com_gpu"} > 0)'
)
LATEST_SCHEDULED_RUN_FAILED = (
    'max by (namespace, scheduled_workflow, name) (kfstack_workflow_status_phase{phase=~"Failed|Error", '
    'scheduled_workflow!=""} == 1)'
    " and on (namespace, name) "
    '(kfstack_workflow_created{scheduled_workflow!=""} == on (namespace, scheduled_workflow) group_left() '
    'max by (namespace, scheduled_workflow) (kfstack_workflow_created{scheduled_workflow!=""}))'
)


def _alert(
    name: str, expr: str, duration: str, severity: str, summary: str, description: str
) -> dict[str, Any]:
    return {
        "alert": name,
        "expr": expr,
        "for": duration,
        "labels": {"severity": severity},
        "annotations": {"summary": summary, "description": description},
    }


def alert_rules_spec() -> dict[str, Any]:
    """The PrometheusRule spec (monitoring.coreos.com/v1)."""
    return {
        "groups": [
            {
                "name": "kfstack.serving",
                "rules": [
                    _alert(
                        "InferenceServiceNotReady",
                        INFERENCE_SERVICE_NOT_READY,
                        "10m",
                        "critical",
                        "InferenceService {{ $labels.namespace }}/{{ $labels.name }} is not Ready",
                        "Its Ready condition has been False for 10 minutes: "
                        "`kubectl describe inferenceservice -n {{ $labels.namespace }} {{ $labels.name }}`.",
                    ),
                    _alert(
                        "InferenceServiceHighErrorRate",
                        INFERENCE_SERVICE_ERRORS,
                        "10m",
                        "warning",
                        "InferenceService {{ $labels.namespace }}/{{ $labels.inferenceservice }} answers 5xx",
                        "More than 5% of its requests failed over the last 10 minutes "
                        "({{ $value | humanizePercentage }}).",
                    ),
                ],
            },
            {
                "name": "kfstack.gpu",
                "rules": [
                    _alert(
                        "GpuPodPending",
                        GPU_PODS_PENDING,
                        "15m",
                        "warning",
                        "GPU pod {{ $labels.namespace }}/{{ $labels.pod }} has been Pending for 15 minutes",
                        "No GPU node took it: the GPU pool may be at its maximum size, the instance type "
                        "unavailable, or the pod's tolerations/selector wrong.",
                    )
                ],
            },
            {
                "name": "kfstack.pipelines",
                "rules": [
                    _alert(
                        "RecurringRunFailed",
                        LATEST_SCHEDULED_RUN_FAILED,
                        "0m",
                        "warning",
                        "The latest run of recurring run "
                        "{{ $labels.namespace }}/{{ $labels.scheduled_workflow }} failed",
                        "Workflow {{ $labels.name }} ended Failed or Error; "
                        "see it in the Kubeflow Pipelines UI.",
                    )
                ],
            },
        ]
    }


def alert_expressions() -> list[str]:
    """Every expression of the rules (what the metric-name tests read)."""
    return [rule["expr"] for group in alert_rules_spec()["groups"] for rule in group["rules"]]


class AlertRules(pulumi.ComponentResource):
    """The PrometheusRule `kfstack` in `monitoring`. Pass in `opts.depends_on` the release that
    installs the monitoring.coreos.com CRDs."""

    def __init__(self, name: str, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("kfstack:monitoring:AlertRules", name, None, opts)
        k8s.apiextensions.CustomResource(
            name,
            api_version="monitoring.coreos.com/v1",
            kind="PrometheusRule",
            metadata=k8s.meta.v1.ObjectMetaArgs(name="kfstack", namespace=MONITORING_NAMESPACE),
            spec=alert_rules_spec(),
            opts=child_options(self, opts),
        )
        self.register_outputs({})
