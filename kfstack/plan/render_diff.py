"""Render plan diffs as a rich table or as Markdown for pull-request comments."""

from __future__ import annotations

import json
from typing import Any

from rich.console import Console
from rich.table import Table

from kfstack.plan.diff import ResourceChange
from kfstack.plan.render import display_type

_SYMBOL = {"add": "+", "delete": "-", "update": "~", "replace": "+-"}
_STYLE = {"add": "green", "delete": "red", "update": "yellow", "replace": "magenta"}
MAX_FIELDS_PER_RESOURCE = 25


def _value(value: Any, full: bool = False) -> str:
    if value is None:
        return "∅"
    text = value if isinstance(value, str) else json.dumps(value, sort_keys=True)
    return text if full or len(text) <= 80 else text[:77] + "..."


def _summary(changes: list[ResourceChange]) -> str:
    counts = {k: sum(1 for c in changes if c.kind == k) for k in ("add", "update", "replace", "delete")}
    return ", ".join(f"{n} to {k}" for k, n in counts.items() if n) or "no changes"


def _field_rows(change: ResourceChange, full: bool = False) -> list[tuple[str, str]]:
    """(path, old → new) rows; `full` (output that is not a terminal) shortens no value, drops no row."""
    if change.kind == "delete":
        return [("", "")]
    if change.kind == "add":
        return [("", f"{len(change.fields)} input value(s)")]
    shown = change.fields if full else change.fields[:MAX_FIELDS_PER_RESOURCE]
    rows = [(f.path, f"{_value(f.old, full)} → {_value(f.new, full)}") for f in shown]
    if len(change.fields) > len(shown):
        rows.append(("…", f"{len(change.fields) - MAX_FIELDS_PER_RESOURCE} more"))
    return rows


def render_table(changes: list[ResourceChange], console: Console) -> None:
    """A table of changed resources and their changed input paths (type names as `kfstack plan`
    spells them). Off a terminal (a CI log) nothing is shortened: every value and path in full."""
    if not changes:
        console.print("no changes")
        return
    full = not console.is_terminal
    table = Table(title="kfstack diff")
    for column in ("", "resource", "type", "path", "old → new"):
        table.add_column(column)
    for change in changes:
        for i, (path, values) in enumerate(_field_rows(change, full)):
            head = (_SYMBOL[change.kind], change.name, display_type(change.type)) if i == 0 else ("", "", "")
            table.add_row(*head, path, values, style=_STYLE[change.kind] if i == 0 else None)
    console.print(table)
    console.print(_summary(changes))


def render_markdown(changes: list[ResourceChange]) -> str:
    """A Markdown section for a pull-request comment."""
    lines = ["### kfstack plan diff", "", f"**{_summary(changes)}**", ""]
    if changes:
        lines += ["| | resource | type | path | old → new |", "|---|---|---|---|---|"]
        for change in changes:
            for i, (path, values) in enumerate(_field_rows(change)):
                head = (
                    (f"`{_SYMBOL[change.kind]}`", f"`{change.name}`", f"`{display_type(change.type)}`")
                    if i == 0
                    else ("", "", "")
                )
                cells = [*head, f"`{path}`" if path else "", values.replace("|", "\\|")]
                lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"
