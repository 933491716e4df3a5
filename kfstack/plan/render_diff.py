"""Render plan diffs as a rich table or as Markdown for pull-request comments."""

from __future__ import annotations

import json
from typing import Any

from rich.console import Console
from rich.table import Table

from kfstack.plan.diff import ResourceChange

_SYMBOL = {"add": "+", "delete": "-", "update": "~", "replace": "+-"}
_STYLE = {"add": "green", "delete": "red", "update": "yellow", "replace": "magenta"}
MAX_FIELDS_PER_RESOURCE = 25


def _value(value: Any) -> str:
    if value is None:
        return "∅"
    text = value if isinstance(value, str) else json.dumps(value, sort_keys=True)
    return text if len(text) <= 80 else text[:77] + "..."


def _summary(changes: list[ResourceChange]) -> str:
    counts = {k: sum(1 for c in changes if c.kind == k) for k in ("add", "update", "replace", "delete")}
    return ", ".join(f"{n} to {k}" for k, n in counts.items() if n) or "no changes"


def _field_rows(change: ResourceChange) -> list[tuple[str, str]]:
    if change.kind == "delete":
        return [("", "")]
    if change.kind == "add":
        return [("", f"{len(change.fields)} input value(s)")]
    rows = [(f.path, f"{_value(f.old)} → {_value(f.new)}") for f in change.fields[:MAX_FIELDS_PER_RESOURCE]]
    if len(change.fields) > MAX_FIELDS_PER_RESOURCE:
        rows.append(("…", f"{len(change.fields) - MAX_FIELDS_PER_RESOURCE} more"))
    return rows


def render_table(changes: list[ResourceChange], console: Console) -> None:
    """A table of changed resources and their changed input paths."""
    if not changes:
        console.print("no changes")
        return
    table = Table(title="kfstack diff")
    for column in ("", "resource", "type", "path", "old → new"):
        table.add_column(column)
    for change in changes:
        for i, (path, values) in enumerate(_field_rows(change)):
            head = (_SYMBOL[change.kind], change.name, change.type) if i == 0 else ("", "", "")
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
                    (f"`{_SYMBOL[change.kind]}`", f"`{change.name}`", f"`{change.type}`")
                    if i == 0
                    else ("", "", "")
                )
                cells = [*head, f"`{path}`" if path else "", values.replace("|", "\\|")]
                lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"
