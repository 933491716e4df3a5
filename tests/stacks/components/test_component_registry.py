"""The component declarations: one per builder module, mock outputs and CRD groups stated once,
and every enabled component either installed or named with the reason it is not."""

from __future__ import annotations

import importlib
import pkgutil

import pytest

import stacks.components
from stacks.components import (
    NOT_BUILT_YET,
    AbsentComponent,
    absent_components,
    component_specs,
    mock_templates,
)
from stacks.config.versions import COMPONENT_KEYS, RELEASE_SETS


def test_every_builder_module_declares_one_spec() -> None:
    modules = [info.name for info in pkgutil.iter_modules(stacks.components.__path__)]
    specs = component_specs()
    assert len(specs) == len(modules)
    for name in modules:
        module = importlib.import_module(f"stacks.components.{name}")
        assert module.SPEC in specs


def test_names_keys_mock_types_and_crd_groups_are_each_declared_once() -> None:
    specs = component_specs()
    names = [s.name for s in specs]
    assert len(names) == len(set(names))
    keys = [s.key for s in specs if s.key is not None]
    assert len(keys) == len(set(keys))
    groups = [g for s in specs for g in s.crd_groups]
    assert len(groups) == len(set(groups))
    assert sum(len(s.mock_outputs) for s in specs) == len(mock_templates())


def test_charts_are_pinned_by_release_set_entries() -> None:
    for spec in component_specs():
        for chart in spec.charts:
            assert chart.pinned_by in COMPONENT_KEYS
            for release in RELEASE_SETS.values():
                assert release.default(chart.pinned_by)


def test_components_with_crds_install_them_with_a_chart() -> None:
    for spec in component_specs():
        if spec.crd_groups:
            assert spec.charts, spec.name


def test_switches_without_a_builder_are_reported_as_not_built(env_config) -> None:
    config = env_config("prod")
    absent = {a.key: a.reason for a in absent_components(config)}
    built = {s.key for s in component_specs() if s.key is not None}
    for key in COMPONENT_KEYS:
        if config.components.enabled(key) and key not in built:
            assert absent[key] == NOT_BUILT_YET
    assert "karpenter" not in absent and "determined" not in absent  # off in prod


def test_a_component_switched_off_is_not_reported(env_config, plan_of) -> None:
    # local has no GPU pool: the device plugin is enabled but installs nothing, and says so
    def plugin_off(values: dict) -> None:
        values["components"]["nvidiaDevicePlugin"] = {"enabled": False}

    assert "nvidiaDevicePlugin" in {a.key for a in absent_components(env_config("local"))}
    assert "nvidiaDevicePlugin" not in {a.key for a in absent_components(env_config("local", plugin_off))}
    assert not [
        w for w in plan_of("local", plugin_off).warnings if w.startswith("components.nvidiaDevicePlugin ")
    ]


@pytest.mark.parametrize(("key", "reason"), [("istio", "no builder"), ("nvidiaDevicePlugin", "no GPU pool")])
def test_absence_message_names_the_config_key(key: str, reason: str) -> None:
    assert AbsentComponent(key, reason).message() == f"components.{key} is enabled but not installed: {reason}"  # type: ignore[arg-type]


def test_planning_an_existing_cluster_never_imports_the_aws_sdk() -> None:
    import subprocess
    import sys

    code = (
        "import sys; from kfstack.plan.build import build_plan; build_plan('local'); "
        "print('pulumi_aws' in sys.modules)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"
