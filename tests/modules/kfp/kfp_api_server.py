"""An in-process, in-memory KFP v2beta1 API server for the provider tests.

A werkzeug server on 127.0.0.1 (random port) in a thread. Every request is matched to a swagger
operation and its query and JSON body validated against the 2.16 contract (unknown fields are
errors); objects live as kfp-server-api model instances and are serialised the way the real
server answers (snake_case, int64 as strings, `googlerpcStatus` errors); every response is
checked against the contract too, and violations are kept for the test fixture to fail on.

Test controls: `fail_next` (5xx, 401, 404 ... for the next N matching calls, optionally after
the server already did the work), `slow_next`, `require_bearer`/`require_cookie`, a request
`log` (`mutations()` counts POST/DELETE calls), out-of-band `store` edits for drift tests, and
`script_run_states` for how one-off runs progress.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import kfp_server_api
from werkzeug.serving import WSGIRequestHandler, make_server
from werkzeug.wrappers import Request, Response

from tests.modules.kfp.kfp_store import ApiError, KfpStore
from tests.modules.kfp.swagger_contract import SwaggerContract

GRPC_CODES = {400: 3, 401: 16, 403: 7, 404: 5, 409: 6, 429: 8, 500: 13, 501: 12, 502: 14, 503: 14, 504: 4}
API_PREFIXES = ("/pipeline",)  # Kubeflow serves KFP's API under /pipeline behind the ingress


@dataclass
class Fault:
    """What to do to the next `count` requests matching `method` and `path_contains`."""

    count: int
    status: int | None = None
    delay: float = 0.0
    after_processing: bool = False
    method: str | None = None
    path_contains: str | None = None

    def matches(self, method: str, path: str) -> bool:
        return (self.method in (None, method)) and (self.path_contains is None or self.path_contains in path)


@dataclass
class LoggedRequest:
    """One request as the server saw it."""

    method: str
    path: str
    operation: str | None
    query: dict[str, list[str]]
    body: Any
    status: int = 0
    authorization: str | None = None
    cookie: str | None = None


@dataclass
class _Auth:
    bearer_tokens: set[str] = field(default_factory=set)
    cookies: dict[str, str] = field(default_factory=dict)

    @property
    def required(self) -> bool:
        return bool(self.bearer_tokens or self.cookies)


def _error(status: int, message: str) -> dict[str, Any]:
    return {"code": GRPC_CODES.get(status, 2), "message": message, "details": []}


class _QuietHandler(WSGIRequestHandler):
    """No per-request log lines: werkzeug would attach a handler to whatever stream is current
    (a CLI test's captured output), and the request log is what tests inspect instead."""

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        pass


class KfpApiServer:
    """The test server; use as a context manager or call start()/stop()."""

    def __init__(self, contract: SwaggerContract) -> None:
        self.contract = contract
        self.store = KfpStore()
        self.log: list[LoggedRequest] = []
        self.violations: list[str] = []
        self.faults: list[Fault] = []
        self.auth = _Auth()
        self.login_handler: Callable[[Request], Response | None] | None = None
        self._lock = threading.Lock()
        self._serializer = kfp_server_api.ApiClient()
        self._server = make_server("127.0.0.1", 0, self._wsgi, threaded=True, request_handler=_QuietHandler)
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )

    # lifecycle -------------------------------------------------------------------------------
    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_port}"

    def start(self) -> KfpApiServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._thread.join(timeout=5)
        self._serializer.rest_client.pool_manager.clear()

    def __enter__(self) -> KfpApiServer:
        return self.start()

    def __exit__(self, *_: object) -> None:
        self.stop()

    # test controls ---------------------------------------------------------------------------
    def fail_next(
        self,
        count: int = 1,
        status: int = 503,
        method: str | None = None,
        path_contains: str | None = None,
        after_processing: bool = False,
    ) -> None:
        """Answer the next `count` matching requests with `status` (after doing the work, if asked)."""
        self.faults.append(Fault(count, status, 0.0, after_processing, method, path_contains))

    def slow_next(
        self, count: int, seconds: float, method: str | None = None, path_contains: str | None = None
    ) -> None:
        """Delay the next `count` matching requests by `seconds`, then answer normally."""
        self.faults.append(Fault(count, None, seconds, False, method, path_contains))

    def require_bearer(self, *tokens: str) -> None:
        """Accept only requests carrying `Authorization: Bearer <one of tokens>`."""
        self.auth.bearer_tokens.update(tokens)

    def require_cookie(self, name: str, value: str) -> None:
        """Accept requests carrying this session cookie (e.g. oauth2-proxy's)."""
        self.auth.cookies[name] = value

    def mutations(self) -> list[LoggedRequest]:
        """The logged POST/PUT/PATCH/DELETE API calls."""
        return [r for r in self.log if r.operation and r.method in ("POST", "PUT", "PATCH", "DELETE")]

    def calls(self, operation: str) -> list[LoggedRequest]:
        """The logged calls of one swagger operationId."""
        return [r for r in self.log if r.operation == operation]

    def clear_log(self) -> None:
        self.log.clear()

    def script_new_runs(self, states: list[str]) -> None:
        """Runs created from now on report `states` on successive reads (the last one sticks)."""
        self.store.new_run_script = list(states)

    def script_run_states(self, run_id: str, states: list[str]) -> None:
        """The states a run reports on successive reads (the last one sticks)."""
        self.store.run_scripts[run_id] = list(states)

    # request handling ------------------------------------------------------------------------
    def _take_fault(self, method: str, path: str) -> Fault | None:
        with self._lock:
            for fault in self.faults:
                if fault.count > 0 and fault.matches(method, path):
                    fault.count -= 1
                    return fault
        return None

    def _authorized(self, request: Request) -> bool:
        if not self.auth.required:
            return True
        header = request.headers.get("Authorization", "")
        if header.startswith("Bearer ") and header[len("Bearer ") :] in self.auth.bearer_tokens:
            return True
        return any(request.cookies.get(name) == value for name, value in self.auth.cookies.items())

    def _json(self, status: int, payload: Any) -> Response:
        return Response(json.dumps(payload), status=status, mimetype="application/json")

    def _wsgi(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        request = Request(environ)
        return self._handle(request)(environ, start_response)

    def _handle(self, request: Request) -> Response:
        path = request.path
        for prefix in API_PREFIXES:
            if path.startswith(prefix + "/apis/"):
                path = path[len(prefix) :]
        if not path.startswith("/apis/"):
            if self.login_handler is not None and (answer := self.login_handler(request)) is not None:
                return answer
            return self._json(404, _error(404, f"no such page {request.path}"))
        matched = self.contract.match(request.method, path)
        query = {key: request.args.getlist(key) for key in request.args}
        entry = LoggedRequest(
            request.method,
            path,
            matched[0].operation_id if matched else None,
            query,
            None,
            authorization=request.headers.get("Authorization"),
            cookie=request.headers.get("Cookie"),
        )
        with self._lock:
            self.log.append(entry)
        status, payload = self._answer(request, path, matched, query, entry)
        entry.status = status
        if matched:
            problems = self.contract.response_errors(matched[0], status, payload)
            if problems:
                self.violations += [f"{matched[0].operation_id}: {p}" for p in problems]
        return self._json(status, payload)

    def _answer(
        self,
        request: Request,
        path: str,
        matched: tuple[Any, dict[str, str]] | None,
        query: dict[str, list[str]],
        entry: LoggedRequest,
    ) -> tuple[int, Any]:
        if matched is None:
            self.violations.append(f"{request.method} {path}: not an operation of the v2beta1 API")
            return 404, _error(404, f"no operation {request.method} {path}")
        operation, path_params = matched
        fault = self._take_fault(request.method, path)
        if fault is not None and fault.delay:
            time.sleep(fault.delay)
        if not self._authorized(request):
            return 401, _error(401, "Unauthenticated: request has no valid credentials")
        if fault is not None and fault.status is not None and not fault.after_processing:
            return fault.status, _error(fault.status, f"injected HTTP {fault.status}")
        problems = self.contract.query_errors(operation, query)
        body: Any = None
        uploaded: bytes | None = None
        if operation.parameters("formData"):
            upload = request.files.get("uploadfile")
            if upload is None:
                problems.append("multipart field 'uploadfile' is missing")
            else:
                uploaded = upload.read()
        elif request.get_data():
            try:
                body = json.loads(request.get_data())
            except ValueError:
                problems.append("body is not JSON")
        entry.body = body if body is not None else (uploaded.decode("utf-8", "replace") if uploaded else None)
        if not problems:
            problems = self.contract.body_errors(operation, body)
        if problems:
            self.violations += [f"{operation.operation_id}: {p}" for p in problems]
            return 400, _error(400, "; ".join(problems))
        args = {k: v[-1] for k, v in query.items()}
        try:
            with self._lock:
                result = self.store.handle(operation.operation_id, path_params, args, body, uploaded)
        except ApiError as error:
            return error.status, _error(error.status, error.message)
        if fault is not None and fault.status is not None:
            return fault.status, _error(fault.status, f"injected HTTP {fault.status} after processing")
        return 200, self._serializer.sanitize_for_serialization(result) if result is not None else {}
