"""Component declarations: a chart source pinned at a version is the chart modules take."""

from __future__ import annotations

from modules.helm import HelmChart
from stacks.component_spec import ChartSource


def test_a_chart_source_pins_to_the_module_chart() -> None:
    source = ChartSource("nvidia-device-plugin", "https://nvidia.github.io/k8s-device-plugin", "nvidiaDevicePlugin")
    assert source.pinned("0.18.2") == HelmChart(
        "nvidia-device-plugin", "0.18.2", "https://nvidia.github.io/k8s-device-plugin"
    )
