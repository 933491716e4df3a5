"""The scrape targets monitoring adds: KServe predictors (through the sidecar or directly) and the KFP API."""

from __future__ import annotations

from pathlib import Path

import pytest

from kfstack.plan.crd_schemas import crd_validation, folder_crd_schema
from modules.scrape_targets import (
    kfp_api_server_monitor,
    predictor_model_server_monitor,
    predictor_sidecar_monitor,
)


@pytest.mark.parametrize(
    ("kind", "spec"),
    [
        ("PodMonitor", predictor_sidecar_monitor()),
        ("PodMonitor", predictor_model_server_monitor()),
        ("ServiceMonitor", kfp_api_server_monitor()),
    ],
)
def test_scrape_targets_validate_against_their_crds(kind: str, spec: dict, crd_dir: Path) -> None:
    schema = folder_crd_schema(crd_dir, "monitoring.coreos.com", kind, "v1")
    assert schema is not None
    obj = {"apiVersion": "monitoring.coreos.com/v1", "kind": kind, "metadata": {"name": "m"}, "spec": spec}
    assert list(crd_validation(obj, schema).errors) == []


def test_predictors_are_scraped_through_the_sidecar_or_directly_never_both() -> None:
    sidecar = predictor_sidecar_monitor()["selector"]["matchExpressions"]
    direct = predictor_model_server_monitor()["selector"]["matchExpressions"]
    assert {"key": "security.istio.io/tlsMode", "operator": "Exists"} in sidecar
    assert {"key": "security.istio.io/tlsMode", "operator": "DoesNotExist"} in direct
    assert predictor_model_server_monitor()["podMetricsEndpoints"][0]["portNumber"] == 8080
