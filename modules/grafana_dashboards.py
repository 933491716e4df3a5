"""kfstack's Grafana dashboards as code: GPU utilisation and memory (DCGM exporter) and model serving
(request rate, latency percentiles, errors per InferenceService, from Istio's sidecar metrics and the
KServe model server), provisioned as ConfigMaps the Grafana sidecar loads (label grafana_dashboard=1)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_kubernetes as k8s

from modules.monitoring import (
    DASHBOARD_LABEL,
    DASHBOARD_LABEL_VALUE,
    MONITORING_NAMESPACE,
    PROMETHEUS_DATASOURCE_UID,
)
from modules.options import child_options

SCHEMA_VERSION = 39
"""Grafana's dashboard JSON schema version these dashboards are written for (Grafana 10.4+ reads it)."""
DATASOURCE = {"type": "prometheus", "uid": PROMETHEUS_DATASOURCE_UID}


@dataclass(frozen=True)
class Query:
    """One PromQL target of a panel and its legend."""

    expr: str
    legend: str


def _panel(panel_id: int, title: str, unit: str, queries: list[Query], x: int, y: int) -> dict[str, Any]:
    return {
        "id": panel_id,
        "type": "timeseries",
        "title": title,
        "datasource": DATASOURCE,
        "gridPos": {"h": 8, "w": 12, "x": x, "y": y},
        "fieldConfig": {"defaults": {"unit": unit}, "overrides": []},
        "options": {"legend": {"displayMode": "table", "placement": "bottom", "showLegend": True}},
        "targets": [
            {"refId": chr(ord("A") + i), "datasource": DATASOURCE, "expr": q.expr, "legendFormat": q.legend}
            for i, q in enumerate(queries)
        ],
    }


def _variable(name: str, label: str, query: str) -> dict[str, Any]:
    return {
        "name": name,
        "label": label,
        "type": "query",
        "datasource": DATASOURCE,
        "query": {"query": query, "refId": f"{name}-values"},
        "definition": query,
        "refresh": 2,
        "includeAll": True,
        "multi": True,
        "current": {"selected": True, "text": "All", "value": "$__all"},
        "allValue": ".*",
    }


def _dashboard(
    uid: str, title: str, panels: list[dict[str, Any]], variables: list[dict[str, Any]]
) -> dict[str, Any]:
    return {
        "uid": uid,
        "title": title,
        "tags": ["kfstack"],
        "editable": False,
        "schemaVersion": SCHEMA_VERSION,
        "version": 1,
        "time": {"from": "now-6h", "to": "now"},
        "timezone": "utc",
        "refresh": "1m",
        "templating": {"list": variables},
        "annotations": {"list": []},
        "panels": panels,
    }


def gpu_dashboard() -> dict[str, Any]:
    """GPU utilisation and frame-buffer memory per node (`Hostname`) and per pod (DCGM's pod mapping)."""
    node = 'Hostname=~"$node"'
    panels = [
        _panel(1, "GPU utilisation per node", "percent",
               [Query(f"avg by (Hostname) (DCGM_FI_DEV_GPU_UTIL{{{node}}})", "{{Hostname}}")], 0, 0),
        _panel(2, "GPU memory used per node", "decmbytes",
               [Query(f"sum by (Hostname) (DCGM_FI_DEV_FB_USED{{{node}}})", "{{Hostname}} used"),
                Query(f"sum by (Hostname) (DCGM_FI_DEV_FB_FREE{{{node}}})", "{{Hostname}} free")], 12, 0),
        _panel(3, "GPU utilisation per pod", "percent",
               [Query(f'avg by (namespace, pod) (DCGM_FI_DEV_GPU_UTIL{{{node}, pod!=""}})',
                      "{{namespace}}/{{pod}}")], 0, 8),
        _panel(4, "GPU memory used per pod", "decmbytes",
               [Query(f'sum by (namespace, pod) (DCGM_FI_DEV_FB_USED{{{node}, pod!=""}})',
                      "{{namespace}}/{{pod}}")], 12, 8),
        _panel(5, "GPU temperature and power", "celsius",
               [Query(f"max by (Hostname, gpu) (DCGM_FI_DEV_GPU_TEMP{{{node}}})",
                      "{{Hostname}} GPU {{gpu}} °C"),
                Query(f"max by (Hostname, gpu) (DCGM_FI_DEV_POWER_USAGE{{{node}}})",
                      "{{Hostname}} GPU {{gpu}} W")],
               0, 16),
        _panel(6, "Allocated vs. requested GPUs", "none",
               [Query('sum(kube_pod_container_resource_requests{resource="nvidia_com_gpu"})', "requested"),
                Query('sum(kube_node_status_allocatable{resource="nvidia_com_gpu"})', "allocatable")],
               12, 16),
    ]  # fmt: skip
    return _dashboard(
        "kfstack-gpu", "kfstack / GPUs", panels,
        [_variable("node", "Node", "label_values(DCGM_FI_DEV_GPU_UTIL, Hostname)")],
    )  # fmt: skip


def serving_dashboard() -> dict[str, Any]:
    """Per InferenceService: request rate, latency p50/p95/p99, error rate (Istio's destination-side
    metrics of the predictor's sidecar) and the model server's predict latency."""
    isvc = 'reporter="destination", namespace=~"$namespace", inferenceservice=~"$inferenceservice"'
    by = "namespace, inferenceservice"

    def latency(quantile: str) -> Query:
        return Query(
            f"histogram_quantile({quantile}, sum by ({by}, le) "
            f"(rate(istio_request_duration_milliseconds_bucket{{{isvc}}}[5m])))",
            f"{{{{namespace}}}}/{{{{inferenceservice}}}} p{quantile[2:]}",
        )

    panels = [
        _panel(1, "Requests per second", "reqps",
               [Query(f"sum by ({by}) (rate(istio_requests_total{{{isvc}}}[5m]))",
                      "{{namespace}}/{{inferenceservice}}")], 0, 0),
        _panel(2, "Error rate (5xx)", "percentunit",
               [Query(f'sum by ({by}) (rate(istio_requests_total{{{isvc}, response_code=~"5.."}}[5m])) '
                      f"/ sum by ({by}) (rate(istio_requests_total{{{isvc}}}[5m]))",
                      "{{namespace}}/{{inferenceservice}}")], 12, 0),
        _panel(3, "Latency p50 / p95 / p99", "ms", [latency("0.50"), latency("0.95"), latency("0.99")], 0, 8),
        _panel(4, "Model server predict latency p95 (predictors without a sidecar)", "s",
               [Query("histogram_quantile(0.95, sum by (namespace, inferenceservice, model_name, le) "
                      '(rate(request_predict_seconds_bucket{namespace=~"$namespace", '
                      'inferenceservice=~"$inferenceservice"}[5m])))',
                      "{{namespace}}/{{inferenceservice}} {{model_name}}")], 12, 8),
        _panel(5, "InferenceService Ready", "none",
               [Query('kfstack_inferenceservice_status_condition{type="Ready", namespace=~"$namespace", '
                      'name=~"$inferenceservice"}', "{{namespace}}/{{name}}")], 0, 16),
    ]  # fmt: skip
    return _dashboard(
        "kfstack-serving", "kfstack / Model serving", panels,
        [_variable("namespace", "Namespace",
                   'label_values(istio_requests_total{inferenceservice!=""}, namespace)'),
         _variable("inferenceservice", "InferenceService",
                   'label_values(istio_requests_total{namespace=~"$namespace", inferenceservice!=""}, '
                   "inferenceservice)")],
    )  # fmt: skip


def dashboards(gpu: bool) -> dict[str, dict[str, Any]]:
    """ConfigMap name -> dashboard; the GPU one only where there are GPUs to watch."""
    out = {"kfstack-serving-dashboard": serving_dashboard()}
    if gpu:
        out["kfstack-gpu-dashboard"] = gpu_dashboard()
    return out


def dashboard_expressions(dashboard: dict[str, Any]) -> list[str]:
    """Every PromQL expression of a dashboard: panel targets and query variables."""
    exprs = [t["expr"] for panel in dashboard["panels"] for t in panel["targets"]]
    return exprs + [v["query"]["query"] for v in dashboard["templating"]["list"] if v["type"] == "query"]


class GrafanaDashboards(pulumi.ComponentResource):
    """One ConfigMap per dashboard in `monitoring`. Pass the monitoring namespace in `opts.depends_on`."""

    def __init__(self, name: str, gpu: bool, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("kfstack:monitoring:GrafanaDashboards", name, None, opts)
        child = child_options(self, opts)
        for config_map, dashboard in dashboards(gpu).items():
            k8s.core.v1.ConfigMap(
                config_map,
                metadata=k8s.meta.v1.ObjectMetaArgs(
                    name=config_map,
                    namespace=MONITORING_NAMESPACE,
                    labels={DASHBOARD_LABEL: DASHBOARD_LABEL_VALUE},
                ),
                data={f"{dashboard['uid']}.json": json.dumps(dashboard, indent=2, sort_keys=True)},
                opts=child,
            )
        self.register_outputs({})
