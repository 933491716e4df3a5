"""kfstack/ops/aws_errors.py: one sentence per kind of AWS failure."""

from botocore.exceptions import (
    ClientError,
    EndpointConnectionError,
    NoCredentialsError,
    PartialCredentialsError,
)

from kfstack.ops.aws_errors import NO_CREDENTIALS_HINT, describe_aws_error, error_code


def test_missing_or_partial_credentials_say_how_to_provide_them() -> None:
    assert describe_aws_error(NoCredentialsError()) == NO_CREDENTIALS_HINT
    assert describe_aws_error(PartialCredentialsError(provider="env", cred_var="AWS_SECRET_ACCESS_KEY")) == NO_CREDENTIALS_HINT
    assert "AWS_PROFILE" in NO_CREDENTIALS_HINT


def test_client_error_names_operation_code_and_message() -> None:
    error = ClientError({"Error": {"Code": "AccessDenied", "Message": "not allowed "}}, "PutBucketPolicy")
    assert describe_aws_error(error) == "AWS PutBucketPolicy: AccessDenied: not allowed"
    assert error_code(error) == "AccessDenied"
    assert error_code(ValueError("x")) is None


def test_unreachable_endpoint() -> None:
    error = EndpointConnectionError(endpoint_url="https://ec2.xx-fake-1.amazonaws.com/")
    assert describe_aws_error(error) == "cannot reach https://ec2.xx-fake-1.amazonaws.com/ (region name or network)"
