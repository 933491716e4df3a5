"""The plan's "Images" table: each image the plan pulls and what uses it."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from kfstack.plan.build import Plan
from kfstack.plan.images import RELEASE_TYPE, ImageUse

_KIND_NOTE = {"image": "", "repository": " (tag added by chart/controller)", "hub": " (hub: registry prefix)"}


def _used_by(use: ImageUse) -> str:
    if use.source == "values":
        return f"{use.component}: value {use.field} (set by kfstack)"
    return f"{use.component}: {use.resource} {use.field}"


def render_images(plan: Plan, console: Console) -> None:
    """Every image with what uses it; says how to see the Helm releases' images when not rendered."""
    registry = plan.config.images.registry
    if plan.images:
        title = "Images" + (f" (mirror registry {registry})" if registry else "")
        table = Table(title=title, show_lines=False)
        table.add_column("image", overflow="fold")
        table.add_column("used by", overflow="fold")
        by_image: dict[str, list[ImageUse]] = {}
        for use in plan.images:
            by_image.setdefault(use.image, []).append(use)
        for image in sorted(by_image):
            uses = by_image[image]
            table.add_row(image + _KIND_NOTE[uses[0].kind], "\n".join(sorted({_used_by(u) for u in uses})))
        console.print(table)
    if not plan.releases_rendered and plan.find(RELEASE_TYPE):
        console.print(
            "Helm releases' images show with --charts-dir DIR (rendered with helm template); "
            "without it only the image values kfstack sets on them are listed.",
            highlight=False,
        )
