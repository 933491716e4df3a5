import json
import urllib.error
import urllib.request

import pytest

from pipelines.local_server import LocalModelServer
from pipelines.steps import endpoint


class _Parity:
    """Predicts 1 for rows whose first value is odd."""

    def predict(self, rows):
        return rows[:, 0].astype(int) % 2


def _post(url, body):
    request = urllib.request.Request(url, data=json.dumps(body).encode(), method="POST",
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=5) as response:
        return json.load(response)


@pytest.fixture
def server():
    with LocalModelServer("digits-mlp", lambda: ("3", _Parity())) as running:
        yield running


def test_server_binds_loopback_only(server):
    assert server.url.startswith("http://127.0.0.1:")


@pytest.mark.parametrize("protocol", ["v1", "v2"])
def test_predictions_round_trip_in_both_protocols(server, protocol):
    rows = [[1.0, 0.0], [2.0, 5.0], [7.0, 1.0]]
    assert endpoint.predict(server.url, "digits-mlp", protocol, rows, 5) == [1, 0, 1]


def test_v2_response_names_model_and_version(server):
    body = _post(server.url + "/v2/models/digits-mlp/infer",
                 endpoint.request_body([[1.0, 2.0]], "v2"))
    assert body["model_name"] == "digits-mlp"
    assert body["model_version"] == "3"
    assert body["outputs"][0]["data"] == [1]


def test_readiness_reports_ready(server):
    with urllib.request.urlopen(server.url + "/v1/models/digits-mlp", timeout=5) as response:
        assert json.load(response) == {"name": "digits-mlp", "ready": True}


def test_unknown_model_is_404(server):
    with pytest.raises(urllib.error.HTTPError) as error:
        _post(server.url + "/v1/models/other:predict", {"instances": [[1.0]]})
    assert error.value.code == 404


def test_malformed_body_is_400(server):
    with pytest.raises(urllib.error.HTTPError) as error:
        _post(server.url + "/v1/models/digits-mlp:predict", {"rows": []})
    assert error.value.code == 400


def test_no_champion_is_503():
    with LocalModelServer("digits-mlp", lambda: None) as running, \
            pytest.raises(urllib.error.HTTPError) as error:
        _post(running.url + "/v1/models/digits-mlp:predict", {"instances": [[1.0]]})
    assert error.value.code == 503
