"""`kfstack plan ENV --policies`: the policy pack's rules (policies/rules.py) over the offline plan.

What is checked: every recorded resource with its inputs, protect flag and secret paths; a
violation there fails the plan (exit 1), as the pack's mandatory policies fail `pulumi preview`.
With `--charts-dir`, also every object the Helm releases render: to the engine (and so to the
pack) a Helm release is one resource with chart values, so what its chart renders is reported as
advisory warnings, not failures. Rendered objects get the content-based secret detection only:
their values come from the release's values, whose secrets the release resource's check covers.
"""

from __future__ import annotations

from typing import Any

from kfstack.plan.build import Plan
from kfstack.plan.problems import PlanProblem
from kfstack.plan.recorder import RecordedResource
from policies.rules import POLICIES, Resource, Violation, evaluate


def object_type(manifest: dict[str, Any]) -> str:
    """The Pulumi Kubernetes type token of an object: `apps/v1` + `Deployment` ->
    `kubernetes:apps/v1:Deployment`, `v1` + `Service` -> `kubernetes:core/v1:Service`."""
    api_version = str(manifest.get("apiVersion") or "")
    group_version = api_version if "/" in api_version else f"core/{api_version}"
    return f"kubernetes:{group_version}:{manifest.get('kind')}"


def recorded(resource: RecordedResource) -> Resource:
    """A plan resource as the rules see it."""
    return Resource(
        resource.type, resource.urn, resource.inputs, resource.protect, frozenset(resource.secret_paths)
    )


def rendered_resources(plan: Plan) -> list[Resource]:
    """Each object the Helm releases render (`--charts-dir`), named `<release URN>/<Kind/ns/name>`."""
    out = []
    for release, rendered in plan.rendered:
        for obj in rendered.objects:
            label = f"{release.urn}/{obj.label()}"
            out.append(Resource(object_type(obj.manifest), label, obj.manifest, release.protect))
    return out


def policy_violations(plan: Plan) -> tuple[list[Violation], list[Violation]]:
    """(violations by recorded resources, violations by rendered Helm objects)."""
    resources = [recorded(r) for r in sorted(plan.resources, key=lambda r: r.urn)]
    rendered = rendered_resources(plan)
    recorded_violations = evaluate(resources, POLICIES)
    # The stack-wide checks see recorded and rendered objects together (a chart's Service is
    # matched against the login the stack records); only the rendered objects' findings are kept.
    rendered_urns = {r.urn for r in rendered}
    rendered_violations = [v for v in evaluate(resources + rendered, POLICIES) if v.urn in rendered_urns]
    return recorded_violations, rendered_violations


def policy_findings(plan: Plan) -> tuple[list[PlanProblem], list[str]]:
    """(problems that fail the plan, advisory warnings about what Helm releases render)."""
    failing, advisory = policy_violations(plan)
    problems = [PlanProblem(v.urn, f"policy {v.policy}", v.message) for v in failing]
    warnings = [
        f"policy {v.policy} (advisory, rendered by a Helm release): {v.urn}: {v.message}" for v in advisory
    ]
    return problems, warnings
