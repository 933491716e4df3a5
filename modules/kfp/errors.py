"""Errors the KFP resources raise, and bounded retries with exponential backoff.

Retried: HTTP 5xx and connection-level failures (refused, reset, timed out). Not retried:
4xx, which are answers. 401/403 become one `KfpAuthError` that names the auth mode in use and
what to check; 404 becomes `KfpNotFound`, which callers turn into "already gone" (delete, read)
or a `KfpMissingParent` naming what is missing (create).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeVar

import urllib3.exceptions
from kfp_server_api.exceptions import ApiException

if TYPE_CHECKING:
    from modules.kfp.connection import KfpConnection

T = TypeVar("T")


class KfpError(RuntimeError):
    """A KFP API call failed."""


class KfpApiError(KfpError):
    """The API answered with an error status (after any retries)."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class KfpNotFound(KfpApiError):
    """The object addressed does not exist (HTTP 404)."""


class KfpAuthError(KfpError):
    """The API rejected the credentials (HTTP 401/403)."""


class KfpMissingParent(KfpError):
    """A resource's parent (pipeline, version or experiment) does not exist."""


class KfpConflict(KfpError):
    """An object with the same name already exists and is not ours to adopt."""


@dataclass(frozen=True)
class RetryPolicy:
    """Bounded retries: `attempts` tries in all, sleeping base·2ⁿ seconds (capped) in between.

    `sleep` is injectable so tests do not wait; the default policy is what the resources use.
    """

    attempts: int = 5
    base_delay: float = 0.5
    max_delay: float = 8.0
    sleep: Callable[[float], None] = time.sleep

    def delay(self, retry: int) -> float:
        """Seconds to wait before retry number `retry` (0-based)."""
        return float(min(self.max_delay, self.base_delay * (2**retry)))


DEFAULT_RETRY = RetryPolicy()


def server_message(error: ApiException) -> str:
    """The `message` of a googlerpcStatus body, or the HTTP reason when the body is not one."""
    body = getattr(error, "body", None)
    if body:
        try:
            decoded = json.loads(body)
        except (TypeError, ValueError):
            return str(body)[:500]
        if isinstance(decoded, dict) and decoded.get("message"):
            return str(decoded["message"])
    return str(getattr(error, "reason", "") or "")


def is_retryable(error: BaseException) -> bool:
    """5xx answers and connection-level failures are worth another try."""
    if isinstance(error, ApiException):
        return error.status is not None and error.status >= 500
    return isinstance(error, urllib3.exceptions.HTTPError)


def auth_hint(connection: KfpConnection) -> str:
    """What to check for the auth mode in use."""
    if connection.auth == "serviceAccountToken":
        return (
            f"check that service account {connection.token_namespace}/{connection.service_account} exists "
            f"and may use profile namespace {connection.namespace} (e.g. the default-editor RoleBinding), "
            f"that its token audiences {list(connection.token_audiences)} are the ones KFP's TokenReview "
            "expects, and that the ingress trusts the cluster's token issuer (Kubeflow's m2m "
            "RequestAuthentication)"
        )
    if connection.auth == "oidcToken":
        return (
            "check that the token is valid and unexpired, that its issuer is trusted by the ingress (Istio "
            f"RequestAuthentication), and that its user may use profile namespace {connection.namespace}"
        )
    if connection.auth == "dexPassword":
        return (
            f"check the Dex username {connection.username!r} and password, and that the user is an owner or "
            f"contributor of profile namespace {connection.namespace}"
        )
    return (
        "the endpoint requires authentication: use auth serviceAccountToken or oidcToken, or point the "
        "endpoint at a port-forward of the ml-pipeline service"
    )


def translate(error: ApiException, connection: KfpConnection, what: str) -> KfpError:
    """The KfpError for an ApiException from `what` (a short description of the call)."""
    status = error.status
    message = server_message(error)
    if status in (401, 403):
        label = "401 Unauthorized" if status == 401 else "403 Forbidden"
        return KfpAuthError(
            f"{connection.describe()} rejected {what} with {label}: {message}. {auth_hint(connection)}."
        )
    if status == 404:
        return KfpNotFound(f"{what}: not found ({message})", status)
    return KfpApiError(f"{what} failed with HTTP {status}: {message}", status)


def with_retries(
    call: Callable[[], T],
    what: str,
    connection: KfpConnection,
    policy: RetryPolicy = DEFAULT_RETRY,
    recover: Callable[[], T | None] | None = None,
) -> T:
    """Run `call`, retrying retryable failures per `policy`; map API errors to KfpErrors.

    `recover`, for creates, runs before each retry: an earlier attempt may have succeeded on the
    server even though its answer was lost, so a found object is returned instead of creating twice.
    """
    last: BaseException | None = None
    for attempt in range(policy.attempts):
        if attempt:
            policy.sleep(policy.delay(attempt - 1))
        try:
            if attempt and recover is not None:
                found = recover()
                if found is not None:
                    return found
            return call()
        except ApiException as error:
            if not is_retryable(error):
                raise translate(error, connection, what) from error
            last = error
        except urllib3.exceptions.HTTPError as error:
            last = error
    if isinstance(last, ApiException):
        final = translate(last, connection, what)
        raise KfpApiError(f"{final} (gave up after {policy.attempts} attempts)", last.status) from last
    raise KfpError(
        f"{what}: {connection.describe()} unreachable after {policy.attempts} attempts: {last}"
    ) from last
