"""A kustomization installed through the Kubernetes provider's kustomize function (pulumi_kubernetes'
v1 `kustomize.Directory`): the provider builds the source (a local directory or a remote
`https://github.com/<org>/<repo>//<path>?ref=<ref>` target) and every object becomes a child resource,
so previews and the offline plan show each object.

Two passes over the same source: the CustomResourceDefinitions first, then everything else, each
object depending on every CRD, so a custom resource never races the CRD that defines its kind
(the v1 Directory orders nothing itself). The v1 Directory hands its children only `parent`; the
component's `depends_on`, `protect` and `retain_on_delete` are put on each object here.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, cast

import pulumi
import pulumi_kubernetes as k8s

from modules.options import child_options

Transformation = Callable[[dict[str, Any]], None]
"""Edits one object (apiVersion, kind, metadata, ...) in place before it is registered."""

Dependencies = pulumi.Input[Sequence[pulumi.Input[pulumi.Resource]]]
"""What `depends_on` takes: resources, or an output resolving to them (a `KustomizeInstall.ready`)."""

CRD_KIND = "CustomResourceDefinition"


@dataclass(frozen=True)
class ObjectRef:
    """One object of a kustomization, by kind, name and namespace (None: cluster-scoped)."""

    kind: str
    name: str
    namespace: str | None = None

    def matches(self, obj: dict[str, Any]) -> bool:
        """Whether `obj` is this object."""
        meta = obj.get("metadata") or {}
        return (obj.get("kind"), meta.get("name"), meta.get("namespace")) == (
            self.kind,
            self.name,
            self.namespace,
        )


@dataclass(frozen=True)
class KustomizeInstallArgs:
    """The kustomization and what kfstack changes in it."""

    source: str
    """A local kustomization directory or a kustomize remote target URL."""
    omit: tuple[ObjectRef, ...] = ()
    """Objects not installed (another component owns them)."""
    transformations: tuple[Transformation, ...] = ()
    """Edits applied to every object, in order, after `omit`."""
    declared_crds: tuple[str, ...] = ()
    """CRD names (`<plural>.<group>`) the kustomization ships, recorded on the component so an offline
    plan of a remote source, which sees no objects, can still check what custom resources wait for."""


def combined(*groups: Dependencies) -> pulumi.Output[list[pulumi.Resource]]:
    """One `depends_on` value waiting for every resource in `groups` (lists or `ready` outputs)."""

    def flatten(resolved: list[Sequence[pulumi.Resource] | pulumi.Resource]) -> list[pulumi.Resource]:
        lists = [[group] if isinstance(group, pulumi.Resource) else group for group in resolved]
        return [resource for group in lists for resource in group]

    return pulumi.Output.all(*[pulumi.Output.from_input(group) for group in groups]).apply(flatten)


def _omitted(obj: dict[str, Any]) -> None:
    """Turn `obj` into an empty List, which the v1 Directory registers as nothing."""
    obj.clear()
    obj.update({"apiVersion": "v1", "kind": "List", "items": []})


def _children(directory: k8s.kustomize.Directory) -> pulumi.Output[list[pulumi.Resource]]:
    return directory.resources.apply(lambda found: list((found or {}).values()))


class KustomizeInstall(pulumi.ComponentResource):
    """The objects of one kustomization; `ready` resolves to all of them once they are registered
    (depending on the component itself would miss objects the Directory has not created yet)."""

    def __init__(
        self, name: str, args: KustomizeInstallArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__(
            "kfstack:kustomize:Install",
            name,
            {"source": args.source, "declaredCrds": list(args.declared_crds)},
            opts,
        )
        child = child_options(self, opts)
        # an Output of one resource or a list, or a list: `from_input` in `combined` takes either
        outer = cast(Dependencies, child.depends_on or [])

        def pass_of(
            keep: Callable[[dict[str, Any]], bool], depends_on: Dependencies
        ) -> Callable[[Any, pulumi.ResourceOptions], None]:
            def apply(obj: Any, object_opts: pulumi.ResourceOptions) -> None:
                if not keep(obj) or any(ref.matches(obj) for ref in args.omit):
                    _omitted(obj)
                    return
                for transformation in args.transformations:
                    transformation(obj)
                object_opts.depends_on = depends_on
                object_opts.protect = child.protect
                object_opts.retain_on_delete = child.retain_on_delete

            return apply

        crds = k8s.kustomize.Directory(
            "crds",
            directory=args.source,
            resource_prefix=name,
            transformations=[pass_of(lambda o: o.get("kind") == CRD_KIND, combined(outer))],
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.crds: pulumi.Output[list[pulumi.Resource]] = _children(crds)
        objects = k8s.kustomize.Directory(
            "objects",
            directory=args.source,
            resource_prefix=name,
            transformations=[pass_of(lambda o: o.get("kind") != CRD_KIND, combined(outer, self.crds))],
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.ready: pulumi.Output[list[pulumi.Resource]] = combined(self.crds, _children(objects))
        self.register_outputs({})
