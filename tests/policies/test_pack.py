"""The CrossGuard pack: it registers every rule with pulumi_policy, and its validations report."""

from __future__ import annotations

import runpy
from pathlib import Path
from typing import Any

import pytest

from policies.rules import POLICIES

pulumi_policy = pytest.importorskip(
    "pulumi_policy", reason="pulumi-policy is installed in the pack's own venv (policies/requirements.txt)"
)
from policies.pack import PACK_NAME, pack_policies  # noqa: E402

PACK_DIR = Path(__file__).resolve().parents[2] / "policies"


def _options(protect: bool = False) -> Any:
    return pulumi_policy.PolicyResourceOptions(protect, [], None, [], pulumi_policy.PolicyCustomTimeouts(0, 0, 0), [])


def test_main_registers_every_policy_with_the_pack(monkeypatch: pytest.MonkeyPatch) -> None:
    registered: dict[str, Any] = {}

    class RecordingPack:  # PolicyPack itself serves the engine's gRPC forever
        def __init__(self, name: str, policies: list[Any], **kwargs: Any) -> None:
            registered.update(name=name, policies=policies)

    monkeypatch.setattr(pulumi_policy, "PolicyPack", RecordingPack)
    runpy.run_path(str(PACK_DIR / "__main__.py"), run_name="__main__")
    assert registered["name"] == PACK_NAME
    assert [p.name for p in registered["policies"]] == [p.name for p in POLICIES]
    assert all(p.enforcement_level == pulumi_policy.EnforcementLevel.MANDATORY for p in registered["policies"])


def test_pack_yaml_names_a_python_runtime() -> None:
    import yaml

    pack = yaml.safe_load((PACK_DIR / "PulumiPolicy.yaml").read_text())
    assert pack["runtime"]["name"] == "python"
    assert "pulumi-policy==" in (PACK_DIR / "requirements.txt").read_text()


def test_resource_policy_reports_through_the_pack() -> None:
    policy = next(p for p in pack_policies() if p.name == "gpu-pools-tainted")
    args = pulumi_policy.ResourceValidationArgs(
        "aws:eks/nodeGroup:NodeGroup", {"instanceTypes": ["g5.xlarge"], "taints": []},
        "urn:pulumi:prod::kfstack::aws:eks/nodeGroup:NodeGroup::gpu", "gpu", _options(), None,
    )
    reports: list[tuple[str, str | None]] = []
    policy.validate(args, lambda message, urn=None: reports.append((message, urn)))
    assert reports == [("GPU node group has no nvidia.com/gpu NoSchedule taint (instanceTypes ['g5.xlarge'])", None)]


def test_protect_option_reaches_the_rule() -> None:
    policy = next(p for p in pack_policies() if p.name == "prod-stateful-resources-protected")
    reports: list[str] = []
    for protect in (False, True):
        args = pulumi_policy.ResourceValidationArgs(
            "aws:efs/fileSystem:FileSystem", {}, "urn:pulumi:prod::kfstack::aws:efs/fileSystem:FileSystem::efs",
            "efs", _options(protect), None,
        )
        policy.validate(args, lambda message, urn=None: reports.append(message))
    assert reports == ["stateful aws:efs/fileSystem:FileSystem in prod is not protected (kfstack:protectStatefulResources)"]


def test_stack_policy_reports_the_load_balancers_urn() -> None:
    policy = next(p for p in pack_policies() if p.name == "public-load-balancer-behind-login")
    service_urn = "urn:pulumi:dev::kfstack::kubernetes:core/v1:Service::gw"
    service = pulumi_policy.PolicyResource(
        "kubernetes:core/v1:Service",
        {"metadata": {"namespace": "istio-system"}, "spec": {"type": "LoadBalancer", "selector": {"app": "gw"}}},
        service_urn, "gw", _options(), None, None, [], {},
    )
    reports: list[tuple[str, str | None]] = []
    policy.validate(pulumi_policy.StackValidationArgs([service]), lambda m, urn=None: reports.append((m, urn)))
    assert [urn for _, urn in reports] == [service_urn]
