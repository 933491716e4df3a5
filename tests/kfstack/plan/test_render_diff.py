"""The diff table reads in CI: type names as `kfstack plan` spells them, nothing cut off a terminal."""

from __future__ import annotations

import io

from rich.console import Console

from kfstack.commands.common import OutputConsole
from kfstack.plan.diff import FieldChange, ResourceChange
from kfstack.plan.render import display_type
from kfstack.plan.render_diff import MAX_FIELDS_PER_RESOURCE, render_markdown, render_table

LONG = "s3://kfstack-artifacts-" + "x" * 150 + "/models/retrain/latest"
CHANGE = ResourceChange(
    "update",
    "urn:pulumi:dev::kfstack::aws:eks/nodeGroup:NodeGroup::gpu",
    "aws:eks/nodeGroup:NodeGroup",
    "gpu-node-group-with-a-rather-long-name-that-a-narrow-table-would-wrap",
    [FieldChange(f"tags.k{i}", "a", LONG) for i in range(MAX_FIELDS_PER_RESOURCE + 5)],
)


def test_off_a_terminal_every_value_path_and_name_is_whole() -> None:
    out = io.StringIO()
    render_table([CHANGE], OutputConsole(file=out, highlight=False, soft_wrap=True))
    text = out.getvalue()
    assert LONG in text
    assert CHANGE.name in text
    assert f"tags.k{MAX_FIELDS_PER_RESOURCE + 4}" in text and "more" not in text
    assert display_type(CHANGE.type) == "aws:eks:NodeGroup"
    assert "aws:eks:NodeGroup" in text and "aws:eks/nodeGroup:NodeGroup" not in text


def test_on_a_terminal_long_values_are_shortened() -> None:
    out = io.StringIO()
    render_table([CHANGE], Console(file=out, force_terminal=True, width=400, color_system=None))
    text = out.getvalue()
    assert LONG not in text and "5 more" in text


def test_markdown_spells_types_as_the_plan_does() -> None:
    assert "`aws:eks:NodeGroup`" in render_markdown([CHANGE])


def test_output_console_is_unconstrained_only_off_a_terminal() -> None:
    assert OutputConsole(file=io.StringIO()).width >= 2000
    assert OutputConsole(file=io.StringIO(), force_terminal=True, width=100).width == 100
