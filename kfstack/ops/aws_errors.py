"""One sentence for each way an AWS call fails before or outside the service (no credentials, no
endpoint) or inside it (access denied, throttled), so the commands print it instead of a traceback."""

from __future__ import annotations

from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    EndpointConnectionError,
    NoCredentialsError,
    NoRegionError,
    PartialCredentialsError,
)

AWS_ERRORS: tuple[type[Exception], ...] = (BotoCoreError, ClientError)
"""What a boto3 call raises; catch these and render them with `describe_aws_error`."""

NO_CREDENTIALS_HINT = (
    "no AWS credentials found: set AWS_PROFILE (after `aws sso login` or `aws configure`) or "
    "AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY, then run again"
)


def describe_aws_error(error: Exception) -> str:
    """A one-line explanation of a boto3/botocore error, without secrets or a traceback."""
    if isinstance(error, NoCredentialsError | PartialCredentialsError):
        return NO_CREDENTIALS_HINT
    if isinstance(error, NoRegionError):
        return "no AWS region given"
    if isinstance(error, EndpointConnectionError):
        return f"cannot reach {error.kwargs.get('endpoint_url', 'the AWS endpoint')} (region name or network)"
    if isinstance(error, ClientError):
        details = error.response.get("Error", {})
        code = details.get("Code", "error")
        operation = getattr(error, "operation_name", "") or "call"
        return f"AWS {operation}: {code}: {details.get('Message', '').strip() or 'no message'}"
    return f"AWS: {error}"


def error_code(error: Exception) -> str | None:
    """The service's error code of a ClientError (e.g. NoSuchBucket), else None."""
    if isinstance(error, ClientError):
        return str(error.response.get("Error", {}).get("Code", "")) or None
    return None
