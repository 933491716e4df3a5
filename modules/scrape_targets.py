"""What Prometheus scrapes beyond the chart's own targets: KServe predictors (their Istio sidecar's
Envoy stats, and the model server's `/metrics` when a predictor has no sidecar), the KFP API server,
and kube-state-metrics' custom-resource metrics for InferenceServices and Argo Workflows.

Prometheus runs without a sidecar. Meshed predictors sit in profile namespaces whose AuthorizationPolicies
only admit the gateway and the KFP UI, so their model-server port is not scraped; the sidecar's
`http-envoy-prom` port (15090) is outside the mesh's interception and serves Istio's standard metrics.
ml-pipeline:8888 accepts plaintext (a PERMISSIVE port, stacks/components/kubeflow_mtls.py) and its
AuthorizationPolicy admits requests without `kubeflow-userid`, so Prometheus scrapes it directly.
"""

from __future__ import annotations

from typing import Any

import pulumi
import pulumi_kubernetes as k8s

from modules.monitoring import MONITORING_NAMESPACE
from modules.options import child_options

INFERENCE_SERVICE_LABEL = "serving.kserve.io/inferenceservice"
"""On every predictor pod (kserve/kserve v0.16.0 pkg/constants InferenceServiceLabel)."""
ISTIO_TLS_MODE_LABEL = "security.istio.io/tlsMode"
"""Istio's injector labels every injected pod with it."""
MODEL_SERVER_PORT = 8080
"""The KServe model server's HTTP port, which also serves /metrics (kserve v0.16.0 model_server.py)."""
SCHEDULED_WORKFLOW_LABEL = "scheduledworkflows.kubeflow.org/scheduledWorkflowName"
"""KFP's ScheduledWorkflow controller labels each Workflow it starts with its schedule's name."""

_ISVC_RELABEL = {
    "sourceLabels": ["__meta_kubernetes_pod_label_serving_kserve_io_inferenceservice"],
    "targetLabel": "inferenceservice",
    "action": "replace",
}


def _any_namespace(spec: dict[str, Any]) -> dict[str, Any]:
    return {"namespaceSelector": {"any": True}, **spec}


def predictor_sidecar_monitor() -> dict[str, Any]:
    """PodMonitor spec: Istio's Envoy stats (istio_requests_total, ...) of meshed predictor pods."""
    return _any_namespace(
        {
            "selector": {
                "matchExpressions": [
                    {"key": INFERENCE_SERVICE_LABEL, "operator": "Exists"},
                    {"key": ISTIO_TLS_MODE_LABEL, "operator": "Exists"},
                ]
            },
            "podMetricsEndpoints": [
                {"port": "http-envoy-prom", "path": "/stats/prometheus", "relabelings": [_ISVC_RELABEL]}
            ],
        }
    )


def predictor_model_server_monitor() -> dict[str, Any]:
    """PodMonitor spec: the model server's own metrics (request_predict_seconds, ...) of predictors
    without a sidecar."""
    return _any_namespace(
        {
            "selector": {
                "matchExpressions": [
                    {"key": INFERENCE_SERVICE_LABEL, "operator": "Exists"},
                    {"key": ISTIO_TLS_MODE_LABEL, "operator": "DoesNotExist"},
                ]
            },
            "podMetricsEndpoints": [
                {"portNumber": MODEL_SERVER_PORT, "path": "/metrics", "relabelings": [_ISVC_RELABEL]}
            ],
        }
    )


def kfp_api_server_monitor() -> dict[str, Any]:
    """ServiceMonitor spec: the KFP API server (Service ml-pipeline in kubeflow, port `http` 8888)."""
    return {
        "namespaceSelector": {"matchNames": ["kubeflow"]},
        "selector": {"matchLabels": {"app.kubernetes.io/component": "ml-pipeline"}},
        "endpoints": [{"port": "http", "path": "/metrics"}],
    }


def custom_resource_state() -> dict[str, Any]:
    """kube-state-metrics' CustomResourceStateMetrics config: InferenceService conditions, Workflow phase."""
    return {
        "kind": "CustomResourceStateMetrics",
        "spec": {
            "resources": [
                {
                    "groupVersionKind": {
                        "group": "serving.kserve.io",
                        "version": "v1beta1",
                        "kind": "InferenceService",
                    },
                    "metricNamePrefix": "kfstack_inferenceservice",
                    "labelsFromPath": {"name": ["metadata", "name"], "namespace": ["metadata", "namespace"]},
                    "metrics": [
                        {
                            "name": "status_condition",
                            "help": "InferenceService status conditions (1: True, 0: False).",
                            "each": {
                                "type": "Gauge",
                                "gauge": {
                                    "path": ["status", "conditions"],
                                    "labelsFromPath": {"type": ["type"]},
                                    "valueFrom": ["status"],
                                },
                            },
                        }
                    ],
                },
                {
                    "groupVersionKind": {"group": "argoproj.io", "version": "v1alpha1", "kind": "Workflow"},
                    "metricNamePrefix": "kfstack_workflow",
                    "labelsFromPath": {
                        "name": ["metadata", "name"],
                        "namespace": ["metadata", "namespace"],
                        "scheduled_workflow": ["metadata", "labels", SCHEDULED_WORKFLOW_LABEL],
                    },
                    "metrics": [
                        {
                            "name": "status_phase",
                            "help": "The Workflow's phase (1 for the current one).",
                            "each": {
                                "type": "StateSet",
                                "stateSet": {
                                    "labelName": "phase",
                                    "path": ["status", "phase"],
                                    "list": ["Pending", "Running", "Succeeded", "Failed", "Error"],
                                },
                            },
                        },
                        {
                            "name": "created",
                            "help": "Unix time the Workflow was created.",
                            "each": {"type": "Gauge", "gauge": {"path": ["metadata", "creationTimestamp"]}},
                        },
                    ],
                },
            ]
        },
    }


def custom_resource_rules() -> list[dict[str, Any]]:
    """ClusterRole rules kube-state-metrics needs to list and watch those custom resources."""
    return [
        {"apiGroups": ["serving.kserve.io"], "resources": ["inferenceservices"], "verbs": ["list", "watch"]},
        {"apiGroups": ["argoproj.io"], "resources": ["workflows"], "verbs": ["list", "watch"]},
    ]


class ScrapeTargets(pulumi.ComponentResource):
    """The PodMonitors and the ServiceMonitor in `monitoring`. Pass in `opts.depends_on` the release
    that installs the monitoring.coreos.com CRDs."""

    def __init__(self, name: str, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("kfstack:monitoring:ScrapeTargets", name, None, opts)
        child = child_options(self, opts)
        monitors = {
            ("PodMonitor", "kserve-predictor-sidecars"): predictor_sidecar_monitor(),
            ("PodMonitor", "kserve-predictor-model-servers"): predictor_model_server_monitor(),
            ("ServiceMonitor", "kfp-api-server"): kfp_api_server_monitor(),
        }
        for (kind, monitor), spec in monitors.items():
            k8s.apiextensions.CustomResource(
                monitor,
                api_version="monitoring.coreos.com/v1",
                kind=kind,
                metadata=k8s.meta.v1.ObjectMetaArgs(name=monitor, namespace=MONITORING_NAMESPACE),
                spec=spec,
                opts=child,
            )
        self.register_outputs({})
