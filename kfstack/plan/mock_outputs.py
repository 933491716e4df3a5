"""Per-type outputs the mock runtime returns, so programs that read outputs (ARNs, endpoints,
names) see realistic values. Anything not listed here echoes its inputs.

Every value is derived from the logical name, so two plans of one program are byte-identical.
Outputs are camelCase, as the engine returns them.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Callable
from typing import Any

ResourceTemplate = Callable[[str, dict[str, Any]], dict[str, Any]]

_ACCOUNT = "123456789012"
_REGION = "us-west-2"


def _arn(service: str, resource: str, region: str = _REGION) -> str:
    return f"arn:aws:{service}:{region}:{_ACCOUNT}:{resource}"


def _hex(name: str, n: int = 17) -> str:
    """A stable pseudo-id from a logical name."""
    return hashlib.sha256(name.encode()).hexdigest()[:n]


def _aws_id(prefix: str) -> ResourceTemplate:
    return lambda name, inputs: {
        "id": f"{prefix}-{_hex(name)}",
        "arn": _arn("ec2", f"{prefix}/{prefix}-{_hex(name)}"),
    }


def _named(inputs: dict[str, Any], key: str, name: str) -> str:
    value = inputs.get(key)
    return value if isinstance(value, str) and value else f"{name}-{_hex(name, 7)}"


def _role(name: str, inputs: dict[str, Any]) -> dict[str, Any]:
    role = _named(inputs, "name", name)
    return {
        "id": role,
        "name": role,
        "arn": f"arn:aws:iam::{_ACCOUNT}:role/{role}",
        "uniqueId": f"AROA{_hex(name).upper()}",
    }


def _policy(name: str, inputs: dict[str, Any]) -> dict[str, Any]:
    policy = _named(inputs, "name", name)
    arn = f"arn:aws:iam::{_ACCOUNT}:policy/{policy}"
    return {"id": arn, "name": policy, "arn": arn}


def _cluster(name: str, inputs: dict[str, Any]) -> dict[str, Any]:
    cluster = _named(inputs, "name", name)
    oidc_id = _hex(name, 32).upper()
    return {
        "id": cluster,
        "name": cluster,
        "arn": _arn("eks", f"cluster/{cluster}"),
        "endpoint": f"https://{oidc_id}.gr7.mock.eks.amazonaws.com",
        "certificateAuthority": {"data": base64.b64encode(f"mock-ca-{cluster}".encode()).decode()},
        "identities": [{"oidcs": [{"issuer": f"https://oidc.eks.mock.amazonaws.com/id/{oidc_id}"}]}],
        "vpcConfig": {
            **(inputs.get("vpcConfig") or {}),
            "clusterSecurityGroupId": f"sg-{_hex(name + '/cluster')}",
        },
        "status": "ACTIVE",
    }


def _oidc_provider(name: str, inputs: dict[str, Any]) -> dict[str, Any]:
    url = str(inputs.get("url") or f"oidc.eks.mock.amazonaws.com/id/{_hex(name, 32).upper()}")
    path = url.removeprefix("https://")
    arn = f"arn:aws:iam::{_ACCOUNT}:oidc-provider/{path}"
    return {"id": arn, "arn": arn, "url": path}


def _kms_key(name: str, inputs: dict[str, Any]) -> dict[str, Any]:
    h = _hex(name, 32)
    key_id = f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:32]}"
    return {"id": key_id, "keyId": key_id, "arn": _arn("kms", f"key/{key_id}")}


def _file_system(name: str, inputs: dict[str, Any]) -> dict[str, Any]:
    fs_id = f"fs-{_hex(name)}"
    return {
        "id": fs_id,
        "arn": _arn("elasticfilesystem", f"file-system/{fs_id}"),
        "dnsName": f"{fs_id}.efs.mock.amazonaws.com",
    }


def _bucket(name: str, inputs: dict[str, Any]) -> dict[str, Any]:
    bucket = inputs.get("bucket") or f"{inputs.get('bucketPrefix') or name + '-'}{_hex(name, 8)}"
    return {
        "id": bucket,
        "bucket": bucket,
        "arn": f"arn:aws:s3:::{bucket}",
        "bucketRegionalDomainName": f"{bucket}.s3.mock.amazonaws.com",
    }


def _launch_template(name: str, inputs: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": f"lt-{_hex(name)}",
        "arn": _arn("ec2", f"launch-template/lt-{_hex(name)}"),
        "latestVersion": 1,
    }


def _eip(name: str, inputs: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": f"eipalloc-{_hex(name)}",
        "allocationId": f"eipalloc-{_hex(name)}",
        "publicIp": "192.0.2.10",
    }


def _simple_arn(service: str, kind: str) -> ResourceTemplate:
    return lambda name, inputs: {"arn": _arn(service, f"{kind}/{_named(inputs, 'name', name)}")}


RESOURCE_TEMPLATES: dict[str, ResourceTemplate] = {
    "kubernetes:core/v1:Namespace": lambda name, inputs: {
        "metadata": {**inputs.get("metadata", {}), "name": inputs.get("metadata", {}).get("name", name)}
    },
    "aws:ec2/vpc:Vpc": _aws_id("vpc"),
    "aws:ec2/subnet:Subnet": _aws_id("subnet"),
    "aws:ec2/internetGateway:InternetGateway": _aws_id("igw"),
    "aws:ec2/natGateway:NatGateway": _aws_id("nat"),
    "aws:ec2/routeTable:RouteTable": _aws_id("rtb"),
    "aws:ec2/securityGroup:SecurityGroup": _aws_id("sg"),
    "aws:ec2/eip:Eip": _eip,
    "aws:ec2/launchTemplate:LaunchTemplate": _launch_template,
    "aws:iam/role:Role": _role,
    "aws:iam/policy:Policy": _policy,
    "aws:iam/openIdConnectProvider:OpenIdConnectProvider": _oidc_provider,
    "aws:kms/key:Key": _kms_key,
    "aws:eks/cluster:Cluster": _cluster,
    "aws:eks/nodeGroup:NodeGroup": _simple_arn("eks", "nodegroup"),
    "aws:eks/addon:Addon": lambda name, inputs: {
        "arn": _arn("eks", f"addon/{inputs.get('addonName', name)}")
    },
    "aws:cloudwatch/logGroup:LogGroup": lambda name, inputs: {
        "arn": _arn("logs", f"log-group:{_named(inputs, 'name', name)}")
    },
    "aws:efs/fileSystem:FileSystem": _file_system,
    "aws:efs/mountTarget:MountTarget": lambda name, inputs: {"id": f"fsmt-{_hex(name)}"},
    "aws:s3/bucket:Bucket": _bucket,
}

CALL_TEMPLATES: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {
    "aws:index/getCallerIdentity:getCallerIdentity": lambda args: {
        "accountId": _ACCOUNT,
        "arn": f"arn:aws:iam::{_ACCOUNT}:user/mock",
        "userId": "AIDAMOCK",
    },
    "aws:index/getPartition:getPartition": lambda args: {"partition": "aws", "dnsSuffix": "amazonaws.com"},
}


def mock_resource_outputs(type_: str, name: str, inputs: dict[str, Any]) -> dict[str, Any]:
    """Extra outputs for a mocked resource of `type_` (empty when no template applies)."""
    template = RESOURCE_TEMPLATES.get(type_)
    return template(name, inputs) if template else {}


def mock_call_outputs(token: str, args: dict[str, Any]) -> dict[str, Any]:
    """Result of a mocked invoke (data source) `token`."""
    template = CALL_TEMPLATES.get(token)
    return template(args) if template else {}
