"""Metric names the exporters kfstack scrapes expose, per exporter and version (test data, with sources),
and a small PromQL tokenizer that finds the metric names an expression uses."""

from __future__ import annotations

import re

# NVIDIA/dcgm-exporter 4.5.3-4.8.2 etc/default-counters.csv, as dcgm-exporter chart 4.8.2 mounts it
# (templates/metrics-configmap.yaml, the uncommented counters).
DCGM_DEFAULT_COUNTERS = frozenset(
    ["DCGM_FI_DEV_SM_CLOCK", "DCGM_FI_DEV_MEM_CLOCK", "DCGM_FI_DEV_MEMORY_TEMP", "DCGM_FI_DEV_GPU_TEMP", "DCGM_FI_DEV_POWER_USAGE", "DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION", "DCGM_FI_DEV_PCIE_REPLAY_COUNTER", "DCGM_FI_DEV_GPU_UTIL", "DCGM_FI_DEV_MEM_COPY_UTIL", "DCGM_FI_DEV_ENC_UTIL", "DCGM_FI_DEV_DEC_UTIL", "DCGM_FI_DEV_XID_ERRORS", "DCGM_FI_DEV_FB_FREE", "DCGM_FI_DEV_FB_USED", "DCGM_FI_DEV_NVLINK_BANDWIDTH_TOTAL", "DCGM_FI_DEV_VGPU_LICENSE_STATUS", "DCGM_FI_DEV_UNCORRECTABLE_REMAPPED_ROWS", "DCGM_FI_DEV_CORRECTABLE_REMAPPED_ROWS", "DCGM_FI_DEV_ROW_REMAP_FAILURE", "DCGM_FI_PROF_GR_ENGINE_ACTIVE", "DCGM_FI_PROF_PIPE_TENSOR_ACTIVE", "DCGM_FI_PROF_DRAM_ACTIVE", "DCGM_FI_PROF_PCIE_TX_BYTES", "DCGM_FI_PROF_PCIE_RX_BYTES"]
)


def _histogram(name: str) -> set[str]:
    return {f"{name}_bucket", f"{name}_sum", f"{name}_count"}


# kserve/kserve v0.16.0 python/kserve/kserve/metrics.py: prometheus_client Histograms (label model_name)
KSERVE_MODEL_SERVER = frozenset(
    set().union(
        *(
            _histogram(f"request_{step}_seconds")
            for step in ("preprocess", "postprocess", "predict", "explain")
        )
    )
)
# Istio 1.29 standard metrics (istio.io/latest/docs/reference/config/metrics/): HTTP ones used here
ISTIO_STANDARD = frozenset(
    {"istio_requests_total", *_histogram("istio_request_duration_milliseconds"),
     *_histogram("istio_request_bytes"), *_histogram("istio_response_bytes")}
)  # fmt: skip
# kube-state-metrics v2.20.0 (kube-prometheus-stack 88.5.3) docs/metrics: the ones used here
KUBE_STATE_METRICS = frozenset(
    {"kube_pod_status_phase", "kube_pod_container_resource_requests", "kube_node_status_allocatable"}
)
# kube-state-metrics customResourceState, as modules/scrape_targets.py configures it
# (<metricNamePrefix>_<metric name>)
KFSTACK_CUSTOM_RESOURCES = frozenset(
    {"kfstack_inferenceservice_status_condition", "kfstack_workflow_status_phase", "kfstack_workflow_created"}
)

KNOWN_METRICS = (
    DCGM_DEFAULT_COUNTERS
    | KSERVE_MODEL_SERVER
    | ISTIO_STANDARD
    | KUBE_STATE_METRICS
    | KFSTACK_CUSTOM_RESOURCES
)

_STRINGS = re.compile(r'"(?:\\.|[^"\\])*"|\'(?:\\.|[^\'\\])*\'')
_MATCHERS = re.compile(r"\{[^{}]*\}")
_GROUPING = re.compile(r"\b(by|without|on|ignoring|group_left|group_right)\s*\([^()]*\)")
_RANGES = re.compile(r"\[[^\]]*\]")
_IDENTIFIER = re.compile(r"[a-zA-Z_:][a-zA-Z0-9_:]*")
_KEYWORDS = frozenset(
    ["sum", "avg", "min", "max", "count", "stddev", "stdvar", "topk", "bottomk", "quantile", "count_values", "group", "rate", "irate", "increase", "delta", "idelta", "histogram_quantile", "label_values", "label_replace", "abs", "ceil", "floor", "round", "clamp", "clamp_min", "clamp_max", "time", "vector", "scalar", "absent", "absent_over_time", "sort", "sort_desc", "and", "or", "unless", "bool", "offset", "avg_over_time", "max_over_time", "min_over_time", "sum_over_time", "count_over_time", "last_over_time", "humanizePercentage"]
)


def metric_names(expr: str) -> set[str]:
    """The metric names `expr` selects: identifiers outside strings, label matchers, groupings, ranges."""
    text = _STRINGS.sub('""', expr)
    text = _MATCHERS.sub(" ", text)
    text = _GROUPING.sub(" ", text)
    text = _RANGES.sub(" ", text)
    names = set()
    for match in _IDENTIFIER.finditer(text):
        token = match.group(0)
        following = text[match.end() :].lstrip()
        if token in _KEYWORDS or following.startswith("("):
            continue
        names.add(token)
    # label_values(metric, label): the label after the comma is not a metric
    for call in re.finditer(r"label_values\([^,()]*,\s*([a-zA-Z_]+)\s*\)", text):
        names.discard(call.group(1))
    return names
