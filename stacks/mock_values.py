"""Helpers for mock outputs: stable ids and ARNs derived from logical names.

Every value is derived from the logical name, so two plans of one program are byte-identical.
ARNs, ids and endpoints are in the region of the environment being planned (`planned_region`) and
in the placeholder account 123456789012 (the example account of AWS's own documentation), so a
reviewer reads a prod plan in prod's region and sees at once that the account is not a real one.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from stacks.component_spec import MockTemplate

MOCK_ACCOUNT = "123456789012"
DEFAULT_MOCK_REGION = "us-west-2"
"""The region of mock values outside `planned_region` (unit tests of single modules)."""

_region = DEFAULT_MOCK_REGION


def mock_region() -> str:
    """The region mock ARNs and endpoints are in: the planned environment's."""
    return _region


@contextmanager
def planned_region(region: str) -> Iterator[None]:
    """Derive mock values in `region` while a program is recorded (plans run one at a time)."""
    global _region
    previous, _region = _region, region
    try:
        yield
    finally:
        _region = previous


def aws_arn(service: str, resource: str, region: str | None = None) -> str:
    """An ARN in the mock account, in the planned region unless `region` is given."""
    return f"arn:aws:{service}:{region or _region}:{MOCK_ACCOUNT}:{resource}"


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
