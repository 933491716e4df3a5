"""A loopback HTTP endpoint that speaks KServe's v1 and v2 protocols for local runs.

It serves whatever model version `loader()` returns at request time, so it always answers
with the version the registry alias points to, like an InferenceService after a rollout.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from pipelines.steps import endpoint

# () -> (version, model) or None while nothing is promoted.
Loader = Callable[[], "tuple[str, Any] | None"]
REQUEST_TIMEOUT_SECONDS = 10


class NoChampionError(Exception):
    """Nothing is promoted yet: the endpoint answers 503 like a not-ready predictor."""

MAX_BODY_BYTES = 16 * 1024 * 1024


class LocalModelServer:
    """Serve `model_name` on 127.0.0.1 at a free port; use as a context manager."""

    def __init__(self, model_name: str, loader: Loader) -> None:
        self.model_name = model_name
        self.loader = loader
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        """Base URL, e.g. http://127.0.0.1:43567."""
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def __enter__(self) -> LocalModelServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=REQUEST_TIMEOUT_SECONDS)

    def predict(self, instances: list[list[float]]) -> tuple[str, list[Any]]:
        """Predict with the currently promoted version."""
        loaded = self.loader()
        if loaded is None:
            raise NoChampionError("no promoted model version")
        version, model = loaded
        import numpy as np

        return version, model.predict(np.asarray(instances, dtype=np.float64)).tolist()


def _handler_for(server: LocalModelServer) -> type[BaseHTTPRequestHandler]:
    name = server.model_name
    v1_predict, v2_infer = endpoint.predict_path(name, "v1"), endpoint.predict_path(name, "v2")

    class Handler(BaseHTTPRequestHandler):
        timeout = REQUEST_TIMEOUT_SECONDS

        def log_message(self, format: str, *args: Any) -> None:
            """Silence per-request logging (the run log captures step output)."""

        def do_GET(self) -> None:
            if self.path in (f"/v1/models/{name}", f"/v2/models/{name}/ready"):
                self._reply(200, {"name": name, "ready": server.loader() is not None})
            elif self.path in ("/v2/health/live", "/v2/health/ready"):
                self._reply(200, {"live": True, "ready": True})
            else:
                self._reply(404, {"error": f"no route {self.path}"})

        def do_POST(self) -> None:
            if self.path not in (v1_predict, v2_infer):
                self._reply(404, {"error": f"model or route not found: {self.path}"})
                return
            try:
                length = int(self.headers.get("Content-Length", "0"))
                if length > MAX_BODY_BYTES:
                    raise ValueError("request body too large")
                body = json.loads(self.rfile.read(length))
                if self.path == v1_predict:
                    _, predictions = server.predict(body["instances"])
                    self._reply(200, {"predictions": predictions})
                else:
                    version, predictions = server.predict(endpoint.instances_from_v2(body))
                    self._reply(200, endpoint.v2_response(name, version, predictions))
            except NoChampionError as error:
                self._reply(503, {"error": str(error)})
            except (ValueError, KeyError, TypeError, IndexError) as error:
                self._reply(400, {"error": f"bad request: {error}"})

        def _reply(self, status: int, payload: dict[str, Any]) -> None:
            data = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

    return Handler
