"""Dashboards as code: valid Grafana dashboard JSON whose every metric an exporter kfstack scrapes exposes."""

from __future__ import annotations

import json

import pytest

from modules.grafana_dashboards import SCHEMA_VERSION, dashboard_expressions, dashboards
from modules.monitoring import PROMETHEUS_DATASOURCE_UID
from tests.modules.monitoring_metrics import KNOWN_METRICS, metric_names

ALL = dashboards(gpu=True)


def test_the_gpu_dashboard_exists_only_where_there_are_gpus() -> None:
    assert set(dashboards(gpu=False)) == {"kfstack-serving-dashboard"}
    assert set(ALL) == {"kfstack-serving-dashboard", "kfstack-gpu-dashboard"}


@pytest.mark.parametrize("name", sorted(ALL))
def test_dashboard_has_the_dashboard_models_required_structure(name: str) -> None:
    """Grafana's dashboard model: uid/title/schemaVersion, panels with unique ids, a grid position, a
    datasource and targets with refId and expr; query variables with a datasource and a query."""
    dashboard = json.loads(json.dumps(ALL[name]))  # survives JSON as the ConfigMap carries it
    assert isinstance(dashboard["uid"], str) and 0 < len(dashboard["uid"]) <= 40
    assert dashboard["title"] and dashboard["schemaVersion"] == SCHEMA_VERSION
    ids = [panel["id"] for panel in dashboard["panels"]]
    assert len(ids) == len(set(ids)) and ids
    for panel in dashboard["panels"]:
        assert panel["type"] == "timeseries" and panel["title"]
        assert (
            set(panel["gridPos"]) == {"h", "w", "x", "y"}
            and panel["gridPos"]["x"] + panel["gridPos"]["w"] <= 24
        )
        assert panel["datasource"] == {"type": "prometheus", "uid": PROMETHEUS_DATASOURCE_UID}
        ref_ids = [t["refId"] for t in panel["targets"]]
        assert len(ref_ids) == len(set(ref_ids)) and ref_ids
        assert all(t["expr"] and t["datasource"] == panel["datasource"] for t in panel["targets"])
    for variable in dashboard["templating"]["list"]:
        assert variable["type"] == "query" and variable["datasource"]["uid"] == PROMETHEUS_DATASOURCE_UID
        assert variable["query"]["query"].startswith("label_values(")
    assert ALL[name]["uid"] != "" and len({d["uid"] for d in ALL.values()}) == len(ALL)


def test_serving_dashboard_shows_rate_latency_percentiles_and_errors_per_inference_service() -> None:
    exprs = dashboard_expressions(ALL["kfstack-serving-dashboard"])
    joined = "\n".join(exprs)
    for quantile in ("0.50", "0.95", "0.99"):
        assert f"histogram_quantile({quantile}, sum by (namespace, inferenceservice, le)" in joined
    assert 'response_code=~"5.."' in joined and "rate(istio_requests_total" in joined


def test_gpu_dashboard_shows_utilisation_and_memory_per_node_and_pod() -> None:
    joined = "\n".join(dashboard_expressions(ALL["kfstack-gpu-dashboard"]))
    for metric in ("DCGM_FI_DEV_GPU_UTIL", "DCGM_FI_DEV_FB_USED", "DCGM_FI_DEV_FB_FREE"):
        assert metric in joined
    assert "by (Hostname)" in joined and "by (namespace, pod)" in joined


@pytest.mark.parametrize("name", sorted(ALL))
def test_every_metric_a_dashboard_uses_is_exposed_by_an_exporter(name: str) -> None:
    used = set().union(*(metric_names(e) for e in dashboard_expressions(ALL[name])))
    assert used and used <= KNOWN_METRICS, sorted(used - KNOWN_METRICS)


def test_metric_name_tokenizer_skips_functions_labels_and_strings() -> None:
    expr = (
        'histogram_quantile(0.95, sum by (namespace, le) (rate(x_bucket{a="b(c)", d=~"e"}[5m])))'
        " / on (pod) group_left() y"
    )
    assert metric_names(expr) == {"x_bucket", "y"}
    assert metric_names('label_values(m{n="1"}, Hostname)') == {"m"}
