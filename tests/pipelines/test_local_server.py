import json
import urllib.error
import urllib.request

import pytest

from pipelines.local_server import LocalModelServer, ManifestLoader, Served
from pipelines.steps import endpoint, model, model_store, serving


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
    served = {"digits-mlp": Served("3", _Parity(), "v1"), "digits-v2": Served("4", _Parity(), "v2")}
    with LocalModelServer(served.get) as running:
        yield running


def test_server_binds_loopback_only(server):
    assert server.url.startswith("http://127.0.0.1:")


@pytest.mark.parametrize("name, protocol", [("digits-mlp", "v1"), ("digits-v2", "v2")])
def test_predictions_round_trip_in_the_services_protocol(server, name, protocol):
    rows = [[1.0, 0.0], [2.0, 5.0], [7.0, 1.0]]
    assert endpoint.predict(server.url, name, protocol, rows, 5) == [1, 0, 1]


def test_the_other_protocol_is_not_served(server):
    with pytest.raises(urllib.error.HTTPError) as error:
        endpoint.predict(server.url, "digits-mlp", "v2", [[1.0]], 5)
    assert error.value.code == 404


def test_v2_response_names_model_and_version(server):
    body = _post(server.url + "/v2/models/digits-v2/infer", endpoint.request_body([[1.0, 2.0]], "v2"))
    assert body["model_name"] == "digits-v2"
    assert body["model_version"] == "4"
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


@pytest.fixture
def applied(tmp_path):
    """A model in the claim and a manifest pointing at it, as deploy writes them."""
    model.save_model(_Parity(), str(tmp_path / "m.joblib"))
    uri = model_store.version_uri("pvc://models", "digits", "r1")
    model_store.write_model(str(tmp_path / "m.joblib"), uri, str(tmp_path / "claim"))

    def apply(storage_uri=uri, protocol="v1"):
        manifest = serving.inference_service("digits", "ns", storage_uri, "7", protocol)
        serving.write_local(manifest, str(tmp_path / "serving"))
        return ManifestLoader(tmp_path / "serving", "ns", {"models": tmp_path / "claim"})

    return apply


def test_manifest_loader_serves_the_manifests_storage_uri(applied):
    with LocalModelServer(applied()) as running:
        assert endpoint.predict(running.url, "digits", "v1", [[3.0], [4.0]], 5) == [1, 0]


def test_a_wrong_storage_uri_answers_503_naming_it(applied):
    with LocalModelServer(applied("pvc://models/digits/nope")) as running, \
            pytest.raises(urllib.error.HTTPError) as error:
        endpoint.predict(running.url, "digits", "v1", [[3.0]], 5)
    assert error.value.code == 503
    assert "pvc://models/digits/nope" in endpoint.describe_error(error.value)


def test_a_manifest_in_another_protocol_fails_the_request(applied):
    with LocalModelServer(applied(protocol="v2")) as running, \
            pytest.raises(urllib.error.HTTPError) as error:
        endpoint.predict(running.url, "digits", "v1", [[3.0]], 5)
    assert error.value.code == 404


def test_no_manifest_is_404(tmp_path):
    loader = ManifestLoader(tmp_path, "ns", {})
    with LocalModelServer(loader) as running, pytest.raises(urllib.error.HTTPError) as error:
        _post(running.url + "/v1/models/digits-mlp:predict", {"instances": [[1.0]]})
    assert error.value.code == 404
