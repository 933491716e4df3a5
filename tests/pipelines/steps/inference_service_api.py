"""An in-process stand-in for the Kubernetes API's InferenceService endpoints, over real HTTP.

Serves GET/POST/PUT of /apis/serving.kserve.io/v1beta1/namespaces/{ns}/inferenceservices[/{name}]
and the list of a service's predictor Deployments (GET /apis/apps/v1/namespaces/{ns}/deployments
with KServe's labels as the labelSelector)
the way the API server does for a CRD with a status subresource: POST sets `metadata.generation` 1,
PUT bumps it only when the spec changes, checks `metadata.resourceVersion` (409 on a stale one) and
keeps the stored status. A scenario's `controller` plays KServe: on every read it may rewrite the
status from the stored object and the reads since its last spec change. Request bodies and every
status served are validated against the InferenceService CRD schema; problems are collected in
`violations`.
"""

from __future__ import annotations

import copy
import json
import re
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import jsonschema

Controller = Callable[[dict[str, Any], int], dict[str, Any] | None]
"""(stored object, reads since its last spec change) -> its new status, or None to keep it."""

Deployments = Callable[[dict[str, Any], int], list[dict[str, Any]]]
"""(stored InferenceService, reads since its last spec change) -> its predictor Deployments."""

_DEPLOYMENTS = re.compile(r"^/apis/apps/v1/namespaces/(?P<ns>[^/]+)/deployments$")
_PATH = re.compile(
    r"^/apis/serving\.kserve\.io/v1beta1/namespaces/(?P<ns>[^/]+)/inferenceservices(?:/(?P<name>[^/?]+))?$"
)


class InferenceServiceApiServer:
    """Start with `with InferenceServiceApiServer(schema_path, controller) as server:`; `server.host`."""

    def __init__(self, crd_schema: Path, controller: Controller | None = None) -> None:
        schema = json.loads(crd_schema.read_text())["openAPIV3Schema"]
        self._validator = jsonschema.Draft202012Validator(schema)
        self.controller = controller
        self.deployments: Deployments = rolled_out_deployment
        """Plays the Deployment controller; default: rolled out with the stored storageUri."""
        self.objects: dict[tuple[str, str], dict[str, Any]] = {}
        self.reads_since_change: dict[tuple[str, str], int] = {}
        self.requests: list[tuple[str, str]] = []
        """(method, path with query) of every request, in order."""
        self.served: list[dict[str, Any]] = []
        """Every object a GET returned, as returned."""
        self.violations: list[str] = []
        self.before_replace: Callable[[dict[str, Any]], None] | None = None
        """Called with the stored object before a PUT is handled (to simulate another writer)."""
        self._lock = threading.Lock()
        self._version = 0
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())

    @property
    def host(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def __enter__(self) -> InferenceServiceApiServer:
        threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    def seed(self, manifest: dict[str, Any], generation: int, status: dict[str, Any]) -> None:
        """Store an existing service (as if created and updated earlier) with `status`."""
        stored = copy.deepcopy(manifest)
        stored["metadata"]["generation"] = generation
        stored["metadata"]["resourceVersion"] = self._next_version()
        stored["status"] = status
        key = (stored["metadata"]["namespace"], stored["metadata"]["name"])
        self.objects[key] = stored
        self.reads_since_change[key] = 0

    def _next_version(self) -> str:
        self._version += 1
        return str(self._version)

    def _check(self, what: str, document: dict[str, Any]) -> None:
        for error in self._validator.iter_errors(document):
            location = ".".join(str(p) for p in error.absolute_path) or "<root>"
            self.violations.append(f"{what}: {location}: {error.message}")

    def _handle(self, method: str, path: str, body: dict[str, Any] | None) -> tuple[int, dict[str, Any]]:
        deployments = _DEPLOYMENTS.match(path.split("?", 1)[0])
        if deployments is not None and method == "GET":
            return self._list_deployments(deployments["ns"], parse_qs(urlsplit(path).query))
        match = _PATH.match(path.split("?", 1)[0])
        if match is None:
            self.violations.append(f"{method} {path}: not an InferenceService endpoint")
            return 404, _status(404, "NotFound", f"no route {path}")
        namespace, name = match["ns"], match["name"]
        if method == "POST" and name is None:
            return self._create(namespace, body or {})
        if name is None:
            return 405, _status(405, "MethodNotAllowed", f"{method} on the collection")
        key = (namespace, name)
        if method == "GET":
            return self._get(key)
        if method == "PUT":
            return self._replace(key, body or {})
        self.violations.append(f"{method} {path}: method the rollout should not use")
        return 405, _status(405, "MethodNotAllowed", method)

    def _get(self, key: tuple[str, str]) -> tuple[int, dict[str, Any]]:
        stored = self.objects.get(key)
        if stored is None:
            return 404, _status(404, "NotFound", f'inferenceservices.serving.kserve.io "{key[1]}" not found')
        self.reads_since_change[key] += 1
        if self.controller is not None:
            status = self.controller(copy.deepcopy(stored), self.reads_since_change[key])
            if status is not None:
                stored["status"] = status
        self._check(f"status served for {key[1]}", stored)
        self.served.append(copy.deepcopy(stored))
        return 200, stored

    def _list_deployments(self, namespace: str, query: dict[str, list[str]]) -> tuple[int, dict[str, Any]]:
        selector = dict(part.split("=", 1) for part in query.get("labelSelector", [""])[0].split(",") if part)
        name = selector.get("serving.kserve.io/inferenceservice")
        if selector != {"serving.kserve.io/inferenceservice": name, "component": "predictor"}:
            self.violations.append(f"deployments listed with an unexpected labelSelector {selector}")
        stored = self.objects.get((namespace, name or ""))
        items = [] if stored is None else self.deployments(copy.deepcopy(stored), self.reads_since_change[(namespace, name or "")])
        return 200, {"kind": "DeploymentList", "apiVersion": "apps/v1", "metadata": {}, "items": items}

    def _create(self, namespace: str, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        self._check("POST body", body)
        name = body.get("metadata", {}).get("name", "")
        if body.get("metadata", {}).get("namespace", namespace) != namespace:
            self.violations.append("POST body namespace differs from the URL's")
        key = (namespace, name)
        if key in self.objects:
            return 409, _status(409, "AlreadyExists", f'inferenceservices.serving.kserve.io "{name}" already exists')
        stored = copy.deepcopy(body)
        stored["metadata"].update({"namespace": namespace, "generation": 1,
                                   "resourceVersion": self._next_version()})
        stored.pop("status", None)
        self.objects[key] = stored
        self.reads_since_change[key] = 0
        return 201, stored

    def _replace(self, key: tuple[str, str], body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        self._check("PUT body", body)
        stored = self.objects.get(key)
        if stored is None:
            return 404, _status(404, "NotFound", f'inferenceservices.serving.kserve.io "{key[1]}" not found')
        if self.before_replace is not None:
            hook, self.before_replace = self.before_replace, None
            hook(stored)
            stored["metadata"]["resourceVersion"] = self._next_version()
        if body.get("metadata", {}).get("resourceVersion") != stored["metadata"]["resourceVersion"]:
            return 409, _status(409, "Conflict", "the object has been modified; please apply your changes "
                                                 "to the latest version and try again")
        replaced = copy.deepcopy(body)
        replaced["status"] = stored.get("status", {})  # the status subresource: PUT keeps it
        generation = stored["metadata"]["generation"]
        if replaced.get("spec") != stored.get("spec"):
            generation += 1
            self.reads_since_change[key] = 0
        replaced["metadata"].update({"generation": generation, "resourceVersion": self._next_version()})
        self.objects[key] = replaced
        return 200, replaced

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def _serve(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(length)) if length else None
                with server._lock:
                    server.requests.append((self.command, self.path))
                    code, answer = server._handle(self.command, self.path, body)
                    payload = json.dumps(answer).encode()
                self.send_response(code)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            do_GET = do_POST = do_PUT = do_PATCH = _serve

            def log_message(self, format: str, *args: Any) -> None:
                pass

        return Handler


def predictor_deployment(
    service: dict[str, Any], storage_uri: str, generation: int = 1, observed: int = 1, replicas: int = 1,
    updated: int = 1, total: int = 1, available: int = 1,
) -> dict[str, Any]:
    """A predictor Deployment as KServe creates it: its pod template names `storage_uri` in KServe's
    `internal.serving.kserve.io/storage-initializer-sourceuri` annotation and the init container."""
    name = service["metadata"]["name"]
    labels = {"serving.kserve.io/inferenceservice": name, "component": "predictor"}
    return {
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": f"{name}-predictor", "namespace": service["metadata"]["namespace"],
                     "labels": labels, "generation": generation},
        "spec": {
            "replicas": replicas,
            "selector": {"matchLabels": {"app": f"isvc.{name}-predictor"}},
            "template": {
                "metadata": {"labels": labels,
                             "annotations": {"internal.serving.kserve.io/storage-initializer-sourceuri": storage_uri}},
                "spec": {"initContainers": [{"name": "storage-initializer", "image": "kserve/storage-initializer",
                                             "args": [storage_uri, "/mnt/models"]}],
                         "containers": [{"name": "kserve-container", "image": "kserve/sklearnserver"}]},
            },
        },
        "status": {"observedGeneration": observed, "replicas": total, "updatedReplicas": updated,
                   "availableReplicas": available, "readyReplicas": available},
    }


def rolled_out_deployment(service: dict[str, Any], reads: int) -> list[dict[str, Any]]:
    """A predictor Deployment fully rolled out with the service's current storageUri."""
    return [predictor_deployment(service, service["spec"]["predictor"]["model"]["storageUri"])]


def _status(code: int, reason: str, message: str) -> dict[str, Any]:
    return {"kind": "Status", "apiVersion": "v1", "status": "Failure", "message": message,
            "reason": reason, "code": code}
