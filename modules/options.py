"""Resource options for a component's children."""

from __future__ import annotations

import pulumi


def child_options(parent: pulumi.Resource, opts: pulumi.ResourceOptions | None) -> pulumi.ResourceOptions:
    """Options for the children of component `parent` created with `opts`.

    What a caller sets on a component applies to everything in it: `depends_on`, `protect`,
    `retain_on_delete` and `deleted_with` are carried to each child. Providers need no copying:
    Pulumi hands a parent's providers to its children by package. Options that only make sense
    for the component itself (aliases, ignore_changes, import, ...) are not copied.
    """
    opts = opts or pulumi.ResourceOptions()
    return pulumi.ResourceOptions(
        parent=parent,
        depends_on=opts.depends_on,
        protect=opts.protect,
        retain_on_delete=opts.retain_on_delete,
        deleted_with=opts.deleted_with,
    )
