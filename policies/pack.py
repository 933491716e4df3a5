"""The CrossGuard form of kfstack's policies: each rule of `policies.rules` as a pulumi_policy policy.

Under the engine, props hold decrypted values (secrets included), so `no-plain-text-secrets`
applies its content patterns only; the structural secret checks run offline in
`kfstack plan --policies`, where the plan knows which inputs are secrets.
"""

from __future__ import annotations

from typing import Any

from pulumi_policy import (
    EnforcementLevel,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
    StackValidationPolicy,
)
from pulumi_policy import (
    Policy as PulumiPolicy,
)

from policies.rules import POLICIES, Policy, Resource

PACK_NAME = "kfstack"


def _resource(resource_type: str, urn: str, props: Any, protect: bool) -> Resource:
    return Resource(resource_type, urn, props, protect, None)


def _resource_policy(policy: Policy) -> ResourceValidationPolicy:
    check = policy.resource_check
    assert check is not None

    def validate(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
        resource = _resource(args.resource_type, args.urn, args.props, bool(args.opts.protect))
        for message in check(resource):
            report_violation(message, None)

    return ResourceValidationPolicy(
        name=policy.name,
        description=policy.description,
        validate=validate,
        enforcement_level=EnforcementLevel.MANDATORY,
    )


def _stack_policy(policy: Policy) -> StackValidationPolicy:
    check = policy.stack_check
    assert check is not None

    def validate(args: StackValidationArgs, report_violation: ReportViolation) -> None:
        resources = [
            _resource(r.resource_type, r.urn, r.props, bool(r.opts.protect)) for r in args.resources
        ]
        for resource, message in check(resources):
            report_violation(message, resource.urn)

    return StackValidationPolicy(
        name=policy.name,
        description=policy.description,
        validate=validate,
        enforcement_level=EnforcementLevel.MANDATORY,
    )


def pack_policies() -> list[PulumiPolicy]:
    """One mandatory pulumi_policy policy per rule, in the rules' order."""
    return [_resource_policy(p) if p.resource_check is not None else _stack_policy(p) for p in POLICIES]
