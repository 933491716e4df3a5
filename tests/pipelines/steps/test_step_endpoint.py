import pytest

from pipelines.steps import endpoint


def test_v2_request_round_trips_rows():
    rows = [[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]
    body = endpoint.request_body(rows, "v2")
    assert body["inputs"][0]["shape"] == [2, 3]
    assert endpoint.instances_from_v2(body) == rows


def test_v2_shape_mismatch_is_rejected():
    body = {"inputs": [{"shape": [2, 2], "data": [1, 2, 3]}]}
    with pytest.raises(ValueError, match="shape says 2x2"):
        endpoint.instances_from_v2(body)


def test_routes_follow_kserve():
    assert endpoint.predict_path("m", "v1") == "/v1/models/m:predict"
    assert endpoint.predict_path("m", "v2") == "/v2/models/m/infer"


def test_golden_check_applies_threshold():
    check = endpoint.check_golden_set([1, 2, 3, 0], [1, 2, 3, 4], 0.75)
    assert (check.accuracy, check.correct, check.total, check.passed) == (0.75, 3, 4, True)
    assert not endpoint.check_golden_set([0, 0], [1, 1], 0.5).passed


def test_prediction_count_mismatch_is_an_error():
    with pytest.raises(ValueError, match="1 predictions for 2 instances"):
        endpoint.check_golden_set([1], [1, 2], 0.5)
