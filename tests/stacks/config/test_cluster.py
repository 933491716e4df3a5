"""EKS cluster values against AWS's own rules, each with a valid and an invalid example side by side."""

from __future__ import annotations

import copy
import re
from typing import Any

import botocore.session
import pytest

from stacks.config.cluster import CLOUDWATCH_RETENTION_DAYS
from stacks.config.errors import ConfigError
from stacks.config.loader import ENVIRONMENTS_DIR, parse_environment, read_stack_file

PROD = read_stack_file(ENVIRONMENTS_DIR / "Pulumi.prod.yaml").values


def eks_problems(**eks: Any) -> dict[str, str]:
    values = copy.deepcopy(PROD)
    values["cluster"]["eks"].update(eks)
    try:
        parse_environment(values)
    except ConfigError as error:
        return {p.path: p.message for p in error.problems if p.path.startswith("kfstack:cluster.eks")}
    return {}


@pytest.mark.parametrize(
    ("key", "valid", "invalid", "reason"),
    [
        ("name", "kfstack_prod-2", "kfstack.prod", "an EKS cluster name has 1-100 letters"),
        ("name", "k" * 100, "k" * 101, "an EKS cluster name has 1-100 letters"),
        ("name", "1st-cluster", "-cluster", "starting with a letter or digit"),
        ("logRetentionDays", 365, 366, "not a retention CloudWatch Logs accepts"),
        ("logRetentionDays", 3653, 10, "one of 1, 3, 5, 7, 14"),
    ],
)
def test_aws_rule_accepts_one_and_rejects_the_other(key: str, valid: Any, invalid: Any, reason: str) -> None:
    path = f"kfstack:cluster.eks.{key}"
    assert path not in eks_problems(**{key: valid})
    assert reason in eks_problems(**{key: invalid})[path]


def test_kms_key_must_be_in_the_cluster_region() -> None:
    region = PROD["cluster"]["eks"]["region"]
    path = "kfstack:cluster.eks.secretsEncryption.kmsKeyArn"
    same = f"arn:aws:kms:{region}:123456789012:key/abcd-1234"
    other = "arn:aws:kms:eu-central-1:123456789012:key/abcd-1234"
    assert path not in eks_problems(secretsEncryption={"kmsKeyArn": same})
    message = eks_problems(secretsEncryption={"kmsKeyArn": other})[path]
    assert f"a key in region eu-central-1; EKS needs a key in the cluster's region {region}" == message


def _shape(service: str, name: str) -> dict[str, Any]:
    model = botocore.session.get_session().get_service_model(service)
    return model.shape_for(name).metadata | {"documentation": model.shape_for(name).documentation}


def test_retention_values_are_those_cloudwatch_documents() -> None:
    documented = re.search(r"Possible values are: ([0-9, and]+)\.", _shape("logs", "Days")["documentation"])
    assert documented is not None
    assert tuple(int(n) for n in re.findall(r"[0-9]+", documented.group(1))) == CLOUDWATCH_RETENTION_DAYS


def test_cluster_name_rule_matches_the_eks_api_shape() -> None:
    shape = _shape("eks", "ClusterName")
    assert (shape["min"], shape["max"]) == (1, 100)
    assert shape["pattern"] == "^[0-9A-Za-z][A-Za-z0-9\\-_]*"
