"""`kfstack plan ENV --policies`: the shipped environments pass; crafted violations fail the plan."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from kfstack.commands.plan import plan_command
from kfstack.plan.build import Plan, plan_config
from kfstack.plan.policies import object_type, policy_findings
from kfstack.plan.recorder import RecordedResource


@pytest.mark.parametrize("environment", ["local", "dev", "staging", "prod"])
def test_shipped_environments_pass_the_policy_pack(environment: str) -> None:
    result = CliRunner().invoke(plan_command, [environment, "--policies", "--quiet"])
    assert result.exit_code == 0, result.output
    assert "+ policy pack)" in result.output


def _recorded(type_: str, name: str, inputs: dict, protect: bool = False, secrets: list[str] | None = None,
              stack: str = "prod") -> RecordedResource:
    return RecordedResource(f"urn:pulumi:{stack}::kfstack::{type_}::{name}", type_, name, "", True, [], "",
                            protect, protect, inputs, secrets or [])


def test_each_crafted_violation_fails_the_plan(plan: Callable[[str], Plan]) -> None:
    shipped = plan("prod")
    crafted = [
        _recorded("aws:eks/nodeGroup:NodeGroup", "gpu-untainted", {"instanceTypes": ["g5.xlarge"], "taints": None}),
        _recorded("kubernetes:apps/v1:Deployment", "web", {"spec": {"template": {"spec": {"containers": [
            {"name": "web", "image": "nginx:latest"}]}}}}),
        _recorded("kubernetes:core/v1:Service", "open", {"metadata": {"namespace": "web"}, "spec": {
            "type": "LoadBalancer", "selector": {"app": "web"}}}),
        _recorded("aws:rds/instance:Instance", "db", {"password": "plain"}),
    ]
    problems, _ = policy_findings(Plan("prod", shipped.config, [*shipped.resources, *crafted]))
    assert sorted((p.resource.rsplit("::", 1)[1], p.check) for p in problems) == [
        ("db", "policy no-plain-text-secrets"),
        ("db", "policy prod-stateful-resources-protected"),
        ("gpu-untainted", "policy gpu-pools-tainted"),
        ("open", "policy public-load-balancer-behind-login"),
        ("web", "policy containers-have-requests-and-limits"),
        ("web", "policy images-pinned"),
    ]


def test_a_violation_exits_1_naming_resource_and_policy(monkeypatch: pytest.MonkeyPatch) -> None:
    import kfstack.plan.build as build

    real = build.plan_config

    def with_unprotected_bucket(*args: object, **kwargs: object) -> Plan:
        planned = real(*args, **kwargs)  # type: ignore[arg-type]
        planned.resources.append(_recorded("aws:s3/bucket:Bucket", "loose", {}))
        return planned

    monkeypatch.setattr(build, "plan_config", with_unprotected_bucket)
    result = CliRunner().invoke(plan_command, ["prod", "--policies", "--quiet"])
    assert result.exit_code == 1
    assert (
        "urn:pulumi:prod::kfstack::aws:s3/bucket:Bucket::loose: policy prod-stateful-resources-protected: "
        "stateful aws:s3/bucket:Bucket in prod is not protected" in result.output
    )


def test_rendered_helm_objects_are_advisory(charts_dir: Path, helm: Path, plan: Callable[[str], Plan]) -> None:
    shipped = plan("local")
    rendered = plan_config("local", shipped.config, charts_dir=charts_dir)
    problems, warnings = policy_findings(rendered)
    assert problems == []
    # cert-manager's chart sets no resources by default (kfstack does not set them either)
    assert any(
        w.startswith("policy containers-have-requests-and-limits (advisory, rendered by a Helm release): ")
        and "Release::cert-manager/Deployment/cert-manager/cert-manager:" in w
        for w in warnings
    ), warnings


def test_object_type_tokens() -> None:
    assert object_type({"apiVersion": "apps/v1", "kind": "Deployment"}) == "kubernetes:apps/v1:Deployment"
    assert object_type({"apiVersion": "v1", "kind": "Service"}) == "kubernetes:core/v1:Service"
