"""The EKS addons builders: network addons before the node groups, the rest after; none on existing clusters."""

from __future__ import annotations

from modules.eks_addons import BEFORE_COMPUTE_ADDONS


def test_network_addons_come_before_the_node_groups_and_the_rest_after(plan) -> None:
    result = plan("dev")
    addons = {a.inputs["addonName"]: a for a in result.find("aws:eks/addon:Addon")}
    assert {"vpc-cni", "coredns", "kube-proxy", "aws-ebs-csi-driver", "aws-efs-csi-driver"} <= set(addons)
    groups = result.find("aws:eks/nodeGroup:NodeGroup")
    group_urns = {g.urn for g in groups}
    (network,) = [r for r in result.find("kfstack:cluster:EksAddons") if r.name == "network-addons"]
    for name, addon in addons.items():
        if name in BEFORE_COMPUTE_ADDONS:
            assert addon.parent == network.urn and not group_urns & set(addon.dependencies), name
        else:
            assert group_urns <= set(addon.dependencies), name
    first = {addons[name].urn for name in BEFORE_COMPUTE_ADDONS}
    for group in groups:
        assert first <= set(group.dependencies), group.name
    (cluster,) = result.find("aws:eks/cluster:Cluster")
    assert cluster.inputs["bootstrapSelfManagedAddons"] is False


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
