"""Helpers for mock outputs: stable ids and ARNs derived from logical names.

Every value is derived from the logical name, so two plans of one program are byte-identical.
"""

from __future__ import annotations

import hashlib
from typing import Any

from stacks.component_spec import MockTemplate

MOCK_ACCOUNT = "123456789012"
MOCK_REGION = "us-west-2"


def aws_arn(service: str, resource: str, region: str = MOCK_REGION) -> str:
    """An ARN in the mock account."""
    return f"arn:aws:{service}:{region}:{MOCK_ACCOUNT}:{resource}"


def stable_hex(name: str, n: int = 17) -> str:
    """A stable pseudo-id from a logical name."""
    return hashlib.sha256(name.encode()).hexdigest()[:n]


def stable_uuid(name: str) -> str:
    """A stable UUID-shaped id from a name (KMS key ids, KFP object ids)."""
    h = stable_hex(name, 32)
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:32]}"


def named(inputs: dict[str, Any], key: str, name: str) -> str:
    """The physical name: the `key` input if set, else an autoname from the logical name."""
    value = inputs.get(key)
    return value if isinstance(value, str) and value else f"{name}-{stable_hex(name, 7)}"


def ec2_id(prefix: str) -> MockTemplate:
    """Outputs of an EC2 resource whose id looks like `<prefix>-<hex>` (vpc, subnet, sg ...)."""
    return lambda name, inputs: {
        "id": f"{prefix}-{stable_hex(name)}",
        "arn": aws_arn("ec2", f"{prefix}/{prefix}-{stable_hex(name)}"),
    }


def named_arn(service: str, kind: str) -> MockTemplate:
    """Outputs of a resource whose ARN ends in `<kind>/<name>`."""
    return lambda name, inputs: {"arn": aws_arn(service, f"{kind}/{named(inputs, 'name', name)}")}
