"""Component declarations: a chart source resolves to the chart the release set pins."""

from __future__ import annotations

import pytest

from modules.helm import HelmChart
from stacks.component_spec import ChartSource
from stacks.config.components import ComponentsConfig


def test_a_chart_source_resolves_to_the_pinned_chart_of_its_release_set() -> None:
    source = ChartSource("nvidia-device-plugin", "nvidiaDevicePlugin")
    assert source.pinned(ComponentsConfig()) == HelmChart(
        "nvidia-device-plugin", "0.18.2", "https://nvidia.github.io/k8s-device-plugin"
    )
    overridden = ComponentsConfig.model_validate({"nvidiaDevicePlugin": {"version": "0.20.0"}})
    assert source.pinned(overridden).version == "0.20.0"


def test_a_chart_the_pin_does_not_list_is_named_in_the_error() -> None:
    with pytest.raises(KeyError, match="no chart 'pilot' pinned; pinned: base, istiod, gateway"):
        ChartSource("pilot", "istio").pinned(ComponentsConfig())
