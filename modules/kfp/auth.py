"""Credentials for one KFP API call, per auth mode; resolved inside each provider call.

Nothing here is cached or stored: a service-account token is minted per provider call (it is
short-lived anyway) and a Dex session cookie is fetched per call, so no token ever lands on a
provider instance or in Pulumi state.
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol
from urllib.parse import urlsplit

import yaml

from modules.kfp.connection import KfpConnection
from modules.kfp.errors import KfpAuthError


@dataclass(frozen=True)
class Credentials:
    """What an API call carries: an Authorization header value and/or a Cookie header value."""

    authorization: str | None = None
    cookie: str | None = None


class TokenRequester(Protocol):
    """The one Kubernetes call serviceAccountToken needs: TokenRequest for a service account."""

    def request_token(
        self,
        kubeconfig: str,
        context: str | None,
        namespace: str,
        service_account: str,
        audiences: Sequence[str],
        expiration_seconds: int,
    ) -> str:
        """A token for `namespace/service_account` with `audiences`, valid `expiration_seconds`."""
        ...


def kubeconfig_content(kubeconfig: str) -> dict[str, Any] | None:
    """The kubeconfig mapping when `kubeconfig` is content, None when it is a path."""
    try:
        loaded = yaml.safe_load(kubeconfig)
    except yaml.YAMLError:
        return None
    return loaded if isinstance(loaded, dict) else None


class KubernetesTokenRequester:
    """TokenRequest through the official `kubernetes` client, from a kubeconfig path or content."""

    def request_token(
        self,
        kubeconfig: str,
        context: str | None,
        namespace: str,
        service_account: str,
        audiences: Sequence[str],
        expiration_seconds: int,
    ) -> str:
        from kubernetes import client, config

        content = kubeconfig_content(kubeconfig)
        try:
            if content is not None:
                api_client = config.new_client_from_config_dict(
                    content, context=context, persist_config=False
                )
            else:
                api_client = config.new_client_from_config(
                    config_file=os.path.expanduser(kubeconfig), context=context, persist_config=False
                )
        except Exception as error:  # the loader raises ConfigException, OSError, KeyError...
            raise KfpAuthError(f"cannot load the kubeconfig (context {context!r}): {error}") from error
        body = client.AuthenticationV1TokenRequest(
            api_version="authentication.k8s.io/v1",
            kind="TokenRequest",
            spec=client.V1TokenRequestSpec(audiences=list(audiences), expiration_seconds=expiration_seconds),
        )
        try:
            response = client.CoreV1Api(api_client).create_namespaced_service_account_token(
                service_account, namespace, body
            )
        except client.ApiException as error:
            raise KfpAuthError(
                f"TokenRequest for service account {namespace}/{service_account} failed with HTTP "
                f"{error.status} {error.reason}: check that kubeconfig context {context!r} may create "
                f"serviceaccounts/token in namespace {namespace} and that the service account exists"
            ) from error
        except Exception as error:
            raise KfpAuthError(
                f"TokenRequest for service account {namespace}/{service_account} failed: {error}"
            ) from error
        finally:
            api_client.close()
        token = getattr(getattr(response, "status", None), "token", None)
        if not token:
            raise KfpAuthError(f"TokenRequest for {namespace}/{service_account} returned no token")
        return str(token)


def service_account_token(connection: KfpConnection, requester: TokenRequester | None = None) -> str:
    """A fresh token for the connection's service account."""
    assert connection.service_account and isinstance(connection.kubeconfig, str)
    return (requester or KubernetesTokenRequester()).request_token(
        connection.kubeconfig,
        connection.kube_context,
        connection.token_namespace,
        connection.service_account,
        connection.token_audiences,
        connection.token_expiration_seconds,
    )


def dex_session_cookie(connection: KfpConnection) -> str:
    """Log in through oauth2-proxy + Dex's password form; the session cookies as a Cookie header.

    The flow a browser follows: the endpoint redirects to Dex; Dex's connector list (`/auth`) is
    skipped to `/auth/<dex_auth_type>`; the login form is posted; an approval screen, if Dex shows
    one, is approved; oauth2-proxy's callback then sets its session cookie.
    """
    import requests

    session = requests.Session()
    session.verify = connection.ca_cert_path or connection.verify_tls
    timeout = connection.timeout_seconds
    try:
        response = session.get(connection.endpoint, allow_redirects=True, timeout=timeout)
        if not response.history:
            raise KfpAuthError(
                f"{connection.describe()}: the endpoint did not redirect to a login page, so there is no Dex "
                "login to perform; use auth none (or check the endpoint URL)"
            )
        url = urlsplit(response.url)
        if re.search(r"/auth$", url.path):
            url = url._replace(path=f"{url.path}/{connection.dex_auth_type}")
        if not re.search(r"/auth/[^/]+/login$", url.path):
            response = session.get(url.geturl(), allow_redirects=True, timeout=timeout)
            url = urlsplit(response.url)
        response = session.post(
            url.geturl(),
            data={"login": connection.username, "password": connection.password},
            allow_redirects=True,
            timeout=timeout,
        )
        if not response.history:
            raise KfpAuthError(
                f"{connection.describe()}: Dex did not accept the login for {connection.username!r} "
                "(the form came back): check the username and password"
            )
        if re.search(r"/approval$", urlsplit(response.url).path):
            response = session.post(
                response.url, data={"approval": "approve"}, allow_redirects=True, timeout=timeout
            )
    except requests.RequestException as error:
        raise KfpAuthError(f"{connection.describe()}: Dex login failed: {error}") from error
    cookies = "; ".join(f"{cookie.name}={cookie.value}" for cookie in session.cookies)
    if not cookies:
        raise KfpAuthError(f"{connection.describe()}: Dex login set no session cookie")
    return cookies


def credentials_for(connection: KfpConnection, requester: TokenRequester | None = None) -> Credentials:
    """The credentials one provider call sends, resolved now for the connection's auth mode."""
    if connection.auth == "serviceAccountToken":
        return Credentials(authorization=f"Bearer {service_account_token(connection, requester)}")
    if connection.auth == "oidcToken":
        return Credentials(authorization=f"Bearer {connection.token}")
    if connection.auth == "dexPassword":
        return Credentials(cookie=dex_session_cookie(connection))
    return Credentials()
