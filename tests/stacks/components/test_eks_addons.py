"""The EKS addons builder: the required addons after the node groups; nothing on existing clusters."""

from __future__ import annotations


def test_required_addons_are_installed_after_the_node_groups(plan) -> None:
    result = plan("dev")
    addons = result.find("aws:eks/addon:Addon")
    names = {a.inputs["addonName"] for a in addons}
    assert {"vpc-cni", "coredns", "kube-proxy", "aws-ebs-csi-driver", "aws-efs-csi-driver"} <= names
    groups = {g.urn for g in result.find("aws:eks/nodeGroup:NodeGroup")}
    for addon in addons:
        assert groups <= set(addon.dependencies), addon.name


def test_extra_addons_and_pinned_versions_come_from_config(plan_of) -> None:
    def extra(values: dict) -> None:
        values["cluster"]["eks"]["addons"] = {
            "metrics-server": {},
            "vpc-cni": {"version": "v1.20.1-eksbuild.1"},
        }

    addons = {a.inputs["addonName"]: a.inputs for a in plan_of("dev", extra).find("aws:eks/addon:Addon")}
    assert "metrics-server" in addons
    assert addons["vpc-cni"]["addonVersion"] == "v1.20.1-eksbuild.1"
    assert "addonVersion" not in addons["coredns"]


def test_an_existing_cluster_has_no_addons(plan) -> None:
    assert plan("local").find("kfstack:cluster:EksAddons") == []
