"""KServe inference protocols (v1 and v2 / open inference), client side and payload shapes.

v1: POST /v1/models/<name>:predict {"instances": [...]} -> {"predictions": [...]}
v2: POST /v2/models/<name>/infer {"inputs": [tensor]} -> {"outputs": [tensor]}
"""

from __future__ import annotations

import json
import urllib.request
from dataclasses import dataclass
from typing import Any

BATCH_SIZE = 64


def predict_path(model_name: str, protocol: str) -> str:
    """The prediction route for `protocol`."""
    if protocol == "v1":
        return f"/v1/models/{model_name}:predict"
    if protocol == "v2":
        return f"/v2/models/{model_name}/infer"
    raise ValueError(f"protocol must be v1 or v2, got {protocol!r}")


def request_body(instances: list[list[float]], protocol: str) -> dict[str, Any]:
    """The request payload for a batch of feature rows."""
    if protocol == "v1":
        return {"instances": instances}
    flat = [float(value) for row in instances for value in row]
    width = len(instances[0]) if instances else 0
    return {"inputs": [{"name": "input-0", "shape": [len(instances), width],
                        "datatype": "FP64", "data": flat}]}


def instances_from_v2(body: dict[str, Any]) -> list[list[float]]:
    """Rebuild rows from a v2 request's first input tensor (row-major)."""
    tensor = body["inputs"][0]
    rows, width = tensor["shape"]
    data = tensor["data"]
    if len(data) != rows * width:
        raise ValueError(f"input tensor has {len(data)} values, shape says {rows}x{width}")
    return [data[i * width:(i + 1) * width] for i in range(rows)]


def v2_response(model_name: str, version: str, predictions: list[Any]) -> dict[str, Any]:
    """A v2 response carrying integer class predictions."""
    return {"model_name": model_name, "model_version": version, "outputs": [
        {"name": "output-0", "shape": [len(predictions)], "datatype": "INT64",
         "data": predictions}]}


def predictions_from(body: dict[str, Any], protocol: str) -> list[Any]:
    """The predictions of a response in `protocol`."""
    if protocol == "v1":
        return list(body["predictions"])
    return list(body["outputs"][0]["data"])


def predict(base_url: str, model_name: str, protocol: str, instances: list[list[float]],
            timeout_seconds: float) -> list[Any]:
    """Send `instances` to the endpoint in batches and return all predictions."""
    url = base_url.rstrip("/") + predict_path(model_name, protocol)
    predictions: list[Any] = []
    for start in range(0, len(instances), BATCH_SIZE):
        body = json.dumps(request_body(instances[start:start + BATCH_SIZE], protocol)).encode()
        request = urllib.request.Request(
            url, data=body, method="POST", headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=timeout_seconds) as response:
            predictions.extend(predictions_from(json.load(response), protocol))
    return predictions


@dataclass(frozen=True)
class EndpointCheck:
    """The integration test's result on the golden set."""

    accuracy: float
    total: int
    correct: int
    passed: bool


def check_golden_set(predictions: list[Any], labels: list[Any], min_accuracy: float
                     ) -> EndpointCheck:
    """Compare predictions with the golden labels against the `min_accuracy` threshold."""
    if len(predictions) != len(labels):
        raise ValueError(f"endpoint returned {len(predictions)} predictions "
                         f"for {len(labels)} instances")
    correct = sum(str(p) == str(y) for p, y in zip(predictions, labels, strict=True))
    accuracy = correct / len(labels) if labels else 0.0
    return EndpointCheck(accuracy, len(labels), correct, accuracy >= min_accuracy)


def describe_error(error: OSError) -> str:
    """An HTTP error's status and the server's message, or the connection error."""
    import urllib.error

    if isinstance(error, urllib.error.HTTPError):
        try:
            detail = json.loads(error.read() or b"{}").get("error", "")
        except (ValueError, AttributeError):
            detail = ""
        return f"HTTP {error.code}" + (f": {detail}" if detail else "")
    return str(getattr(error, "reason", error))
