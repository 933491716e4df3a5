"""The test server holds clients to the 2.16 contract: shapes it must reject, errors it must shape."""

from __future__ import annotations

import json

import requests

from tests.modules.kfp.kfp_api_server import KfpApiServer


def test_unknown_body_fields_and_int64_numbers_are_rejected(kfp_server: KfpApiServer) -> None:
    answer = requests.post(
        f"{kfp_server.url}/apis/v2beta1/pipelines", json={"name": "p", "tags": {"a": "b"}}, timeout=5
    )
    assert answer.status_code == 400 and answer.json()["code"] == 3
    assert "Additional properties" in answer.json()["message"]
    bad = {"display_name": "r", "max_concurrency": 1, "experiment_id": "e"}
    assert (
        requests.post(f"{kfp_server.url}/apis/v2beta1/recurringruns", json=bad, timeout=5).status_code == 400
    )
    assert any("max_concurrency" in v for v in kfp_server.violations)
    kfp_server.violations.clear()


def test_unknown_query_parameters_and_paths_are_violations(kfp_server: KfpApiServer) -> None:
    requests.get(
        f"{kfp_server.url}/apis/v2beta1/pipelines", params={"namespace": "a", "limit": "5"}, timeout=5
    )
    requests.get(f"{kfp_server.url}/apis/v1beta1/pipelines", timeout=5)
    assert any("'limit' is not defined" in v for v in kfp_server.violations)
    assert any("not an operation of the v2beta1 API" in v for v in kfp_server.violations)
    kfp_server.violations.clear()


def test_errors_are_google_rpc_status_and_lists_use_the_swagger_keys(kfp_server: KfpApiServer) -> None:
    missing = requests.get(f"{kfp_server.url}/apis/v2beta1/recurringruns/nope", timeout=5)
    assert missing.status_code == 404 and set(missing.json()) == {"code", "message", "details"}
    listed = requests.get(
        f"{kfp_server.url}/apis/v2beta1/recurringruns", params={"namespace": "a"}, timeout=5
    ).json()
    assert "recurringRuns" in listed and "total_size" in listed  # the swagger's (mixed) spelling
    created = requests.post(
        f"{kfp_server.url}/pipeline/apis/v2beta1/experiments",
        json={"display_name": "e", "namespace": "a"},
        timeout=5,
    ).json()
    assert created["storage_state"] == "AVAILABLE" and "experiment_id" in created
    assert json.loads(json.dumps(created))["created_at"]
