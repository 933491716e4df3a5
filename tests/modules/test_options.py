"""Options given to a component reach its children the way Pulumi users expect."""

from __future__ import annotations

import pulumi
import pulumi_kubernetes as k8s

from modules.options import child_options


class _Pair(pulumi.ComponentResource):
    def __init__(self, name: str, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("test:index:Pair", name, None, opts)
        for i in range(2):
            k8s.core.v1.ConfigMap(f"{name}-{i}", data={"i": str(i)}, opts=child_options(self, opts))
        self.register_outputs({})


def test_depends_on_protect_and_retain_reach_every_child_and_providers_come_through_the_parent(
    record,
) -> None:
    def program() -> None:
        provider = k8s.Provider("k8s", kubeconfig="{}")
        first = k8s.core.v1.Namespace("first")
        _Pair(
            "pair",
            opts=pulumi.ResourceOptions(
                providers=[provider], depends_on=[first], protect=True, retain_on_delete=True
            ),
        )

    rec = record(program)
    first = rec.one("kubernetes:core/v1:Namespace", "first")
    provider = rec.one("pulumi:providers:kubernetes", "k8s")
    pair = rec.one("test:index:Pair")
    children = rec.children_of(pair)
    assert len(children) == 2
    for child in children:
        assert first.urn in child.dependencies
        assert child.protect and child.retain_on_delete
        assert child.provider == provider.urn


def test_a_component_without_options_gives_its_children_none(record) -> None:
    rec = record(lambda: _Pair("pair"))
    children = rec.children_of(rec.one("test:index:Pair"))
    assert [c.dependencies for c in children] == [[], []]
    assert not any(c.protect or c.retain_on_delete for c in children)
