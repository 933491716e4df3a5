"""A loopback HTTP endpoint that speaks KServe's v1 and v2 protocols for local runs.

It stands in for the cluster's InferenceServices: for each request it asks `loader(name)` what
the service `name` serves, and `ManifestLoader` answers from the manifests deploy and promote
wrote (local runs' stand-in for applying them), loading the model from the manifest's storageUri
and speaking only the manifest's protocol. A wrong URI or protocol fails like it would in KServe.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from pipelines.steps import endpoint, model_store

REQUEST_TIMEOUT_SECONDS = 10
MAX_BODY_BYTES = 16 * 1024 * 1024


@dataclass(frozen=True)
class Served:
    """What one InferenceService serves: its model version label, model and protocol."""

    version: str
    model: Any
    protocol: str


class NotServedError(Exception):
    """No such service, or its model cannot be loaded: answered 503 like a not-ready predictor."""


# name -> what it serves; None: no such InferenceService (404). May raise NotServedError.
Loader = Callable[[str], "Served | None"]


class ManifestLoader:
    """Serve the InferenceServices whose manifests are in `apply_dir/<namespace>/`.

    `claims`: where each PVC is "mounted" on this machine (resolves pvc:// storage URIs).
    """

    def __init__(self, apply_dir: Path, namespace: str, claims: Mapping[str, Path]) -> None:
        self.apply_dir, self.namespace, self.claims = apply_dir, namespace, dict(claims)
        self._models: dict[tuple[str, float], Any] = {}
        self._lock = threading.Lock()

    def manifest(self, name: str) -> dict[str, Any] | None:
        """The applied manifest of service `name`, or None."""
        path = self.apply_dir / self.namespace / f"{name}.json"
        return json.loads(path.read_text()) if path.is_file() else None

    def __call__(self, name: str) -> Served | None:
        manifest = self.manifest(name)
        if manifest is None:
            return None
        model_spec = manifest["spec"]["predictor"]["model"]
        uri = model_spec["storageUri"]
        try:
            path = model_store.resolve_local(uri, self.claims)
        except FileNotFoundError as error:
            raise NotServedError(f"storage initializer cannot load {uri}: {error}") from None
        key = (str(path), path.stat().st_mtime)
        with self._lock:
            if key not in self._models:
                from pipelines.steps import model as model_lib

                self._models[key] = model_lib.load_model(str(path))
        version = manifest["metadata"].get("labels", {}).get("kfstack.io/model-version", "")
        return Served(version, self._models[key], model_spec.get("protocolVersion", "v1"))


class LocalModelServer:
    """Serve on 127.0.0.1 at a free port; use as a context manager."""

    def __init__(self, loader: Loader) -> None:
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


def _predict(served: Served, instances: list[list[float]]) -> list[Any]:
    import numpy as np

    return served.model.predict(np.asarray(instances, dtype=np.float64)).tolist()


_V1_PREDICT = "/v1/models/"
_V2_MODELS = "/v2/models/"


def _route(path: str) -> tuple[str, str, str] | None:
    """(protocol, name, action) of a KServe route, or None."""
    if path.startswith(_V1_PREDICT):
        name, sep, action = path.removeprefix(_V1_PREDICT).partition(":")
        return ("v1", name, action if sep else "metadata")
    if path.startswith(_V2_MODELS):
        name, _, action = path.removeprefix(_V2_MODELS).partition("/")
        return ("v2", name, action or "metadata")
    return None


def _handler_for(server: LocalModelServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        timeout = REQUEST_TIMEOUT_SECONDS

        def log_message(self, format: str, *args: Any) -> None:
            """Silence per-request logging (the run log captures step output)."""

        def _served(self, protocol: str, name: str) -> Served | None:
            """What `name` serves, or None after replying 404/503."""
            try:
                served = server.loader(name)
            except NotServedError as error:
                self._reply(503, {"error": str(error)})
                return None
            if served is None or served.protocol != protocol:
                self._reply(404, {"error": f"model or route not found: {self.path}"})
                return None
            return served

        def do_GET(self) -> None:
            if self.path in ("/v2/health/live", "/v2/health/ready"):
                self._reply(200, {"live": True, "ready": True})
                return
            route = _route(self.path)
            if route is None or route[2] not in ("metadata", "ready"):
                self._reply(404, {"error": f"no route {self.path}"})
            elif self._served(route[0], route[1]) is not None:
                self._reply(200, {"name": route[1], "ready": True})

        def do_POST(self) -> None:
            route = _route(self.path)
            if route is None or route[2] not in ("predict", "infer") or \
                    (route[0], route[2]) not in (("v1", "predict"), ("v2", "infer")):
                self._reply(404, {"error": f"model or route not found: {self.path}"})
                return
            protocol, name, _ = route
            try:
                length = int(self.headers.get("Content-Length", "0"))
                if length > MAX_BODY_BYTES:
                    raise ValueError("request body too large")
                body = json.loads(self.rfile.read(length))
            except ValueError as error:
                self._reply(400, {"error": f"bad request: {error}"})
                return
            served = self._served(protocol, name)
            if served is None:
                return
            try:
                if protocol == "v1":
                    self._reply(200, {"predictions": _predict(served, body["instances"])})
                else:
                    predictions = _predict(served, endpoint.instances_from_v2(body))
                    self._reply(200, endpoint.v2_response(name, served.version, predictions))
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
