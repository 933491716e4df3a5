"""Fakes of the identity services around KFP: Kubernetes TokenRequest, and oauth2-proxy + Dex login.

`FakeKubeApi` is a tiny HTTP server answering the one Kubernetes call serviceAccountToken needs
(POST .../serviceaccounts/<name>/token), so the real `kubernetes` client adapter runs against it.
`DexLogin` is a login handler for KfpApiServer that walks a browser through the flow Kubeflow's
oauth2-proxy and Dex present, ending with oauth2-proxy's session cookie.
"""

from __future__ import annotations

import json
import re
import threading
from dataclasses import dataclass, field
from typing import Any

import yaml
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

ADMIN_TOKEN = "kube-admin-token"
SESSION_COOKIE = "oauth2_proxy_kubeflow"


@dataclass
class FakeKubeApi:
    """A Kubernetes API server that only knows TokenRequest; records every request."""

    requests: list[dict[str, Any]] = field(default_factory=list)
    issued: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._server = make_server("127.0.0.1", 0, self._wsgi, threaded=True)
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )
        self._thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_port}"

    def stop(self) -> None:
        self._server.shutdown()
        self._thread.join(timeout=5)

    def kubeconfig(self, context: str = "kfstack") -> str:
        """Kubeconfig text with the fake as `context` and a decoy current-context."""
        return yaml.safe_dump(
            {
                "apiVersion": "v1",
                "kind": "Config",
                "clusters": [
                    {"name": "fake", "cluster": {"server": self.url}},
                    {"name": "decoy", "cluster": {"server": "http://127.0.0.1:9"}},
                ],
                "users": [{"name": "ci", "user": {"token": ADMIN_TOKEN}}],
                "contexts": [
                    {"name": context, "context": {"cluster": "fake", "user": "ci"}},
                    {"name": "decoy", "context": {"cluster": "decoy", "user": "ci"}},
                ],
                "current-context": "decoy",
            }
        )

    def _wsgi(self, environ: dict[str, Any], start_response: Any) -> Any:
        request = Request(environ)
        match = re.fullmatch(r"/api/v1/namespaces/([^/]+)/serviceaccounts/([^/]+)/token", request.path)
        if request.headers.get("Authorization") != f"Bearer {ADMIN_TOKEN}":
            response = Response(json.dumps({"kind": "Status", "code": 401, "message": "Unauthorized"}), 401)
        elif request.method != "POST" or match is None:
            response = Response(json.dumps({"kind": "Status", "code": 404, "message": "not found"}), 404)
        else:
            body = json.loads(request.get_data())
            namespace, name = match.groups()
            self.requests.append({"namespace": namespace, "name": name, "body": body})
            token = f"sa-{namespace}-{name}-{len(self.issued) + 1}"
            self.issued.append(token)
            answer = {**body, "status": {"token": token, "expirationTimestamp": "2030-01-01T00:00:00Z"}}
            response = Response(json.dumps(answer), 201, mimetype="application/json")
        return response(environ, start_response)


@dataclass
class DexLogin:
    """oauth2-proxy + Dex (local connector, approval screen on) in front of the KFP endpoint."""

    username: str
    password: str
    session: str = "session-value-1"
    logins: int = 0

    def __call__(self, request: Request) -> Response | None:
        path = request.path
        if path.rstrip("/") == "/pipeline":
            if request.cookies.get(SESSION_COOKIE) == self.session:
                return Response("KFP UI", 200)
            return self._redirect("/oauth2/start?rd=/pipeline/")
        if path == "/oauth2/start":
            return self._redirect("/dex/auth?client_id=kubeflow-oidc-authservice&state=s1")
        if path == "/dex/auth":
            return Response("<a href='/dex/auth/local'>Log in with Email</a>", 200)  # connector list
        if path == "/dex/auth/local":
            return self._redirect("/dex/auth/local/login?back=&state=s1")
        if path == "/dex/auth/local/login":
            if request.method == "POST":
                if (
                    request.form.get("login") == self.username
                    and request.form.get("password") == self.password
                ):
                    return self._redirect("/dex/approval?req=r1", 303)
                return Response("<form>Invalid Email Address and password</form>", 200)
            return Response("<form method='post'></form>", 200)
        if path == "/dex/approval":
            if request.method == "POST" and request.form.get("approval") == "approve":
                return self._redirect("/oauth2/callback?code=c1&state=s1", 303)
            return Response("<form>Grant access?</form>", 200)
        if path == "/oauth2/callback" and request.args.get("code") == "c1":
            self.logins += 1
            response = self._redirect("/pipeline/")
            response.set_cookie(SESSION_COOKIE, self.session, path="/")
            return response
        return None

    @staticmethod
    def _redirect(location: str, status: int = 302) -> Response:
        return Response("", status, headers={"Location": location})
