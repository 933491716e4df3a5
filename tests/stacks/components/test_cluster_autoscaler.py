"""The cluster autoscaler in the plans: every GPU pool of every EKS environment has what scales it
from zero, node-template tags match what the node groups really get, the release renders."""

from __future__ import annotations

from pathlib import Path

import pytest

from kfstack.plan.helm_template import rendered_release
from stacks.config.instance_types import GPU_INSTANCE_TYPES
from stacks.config.loader import known_environments, load_environment
from tests.conftest import REPO_ROOT

RELEASE = "kubernetes:helm.sh/v3:Release"
CHARTS = REPO_ROOT.parent / "shared" / "charts"
PREFIX = "k8s.io/cluster-autoscaler/node-template/"
EKS_ENVIRONMENTS = [e for e in known_environments() if load_environment(e)[1].cluster.kind == "eks"]
_EFFECTS = {"NO_SCHEDULE": "NoSchedule", "PREFER_NO_SCHEDULE": "PreferNoSchedule", "NO_EXECUTE": "NoExecute"}


def test_there_are_eks_environments_to_check() -> None:
    assert {"dev", "staging", "prod"} <= set(EKS_ENVIRONMENTS)


@pytest.mark.parametrize("environment", EKS_ENVIRONMENTS)
def test_every_gpu_pool_has_what_scales_it_from_zero(plan, environment: str) -> None:
    result = plan(environment)
    groups = {g.name: g for g in result.find("aws:eks/nodeGroup:NodeGroup")}
    node_pools = {p.inputs["metadata"]["name"] for p in result.find("kubernetes:karpenter.sh/v1:NodePool")}
    autoscalers = result.find("kfstack:nodes:ClusterAutoscaler")
    gpu_pools = {n: p for n, p in result.config.node_pools.items() if p.gpu}
    assert gpu_pools
    for name, pool in gpu_pools.items():
        if pool.provisioner == "karpenter":
            assert name in node_pools and result.find(RELEASE, "karpenter")
            assert len(result.find("aws:sqs/queue:Queue")) == 1  # its interruption queue
            continue
        assert len(autoscalers) == 1 and pool.min_size == 0
        group = groups[name]
        tags = {
            t.inputs["tag"]["key"].removeprefix(PREFIX): t.inputs["tag"]["value"]
            for t in result.find("aws:autoscaling/tag:Tag")
            if t.name.startswith(f"{name}-") and group.urn in t.dependencies
        }
        labels = {k.removeprefix("label/"): v for k, v in tags.items() if k.startswith("label/")}
        assert labels == group.inputs["labels"]
        taints = {k.removeprefix("taint/"): v for k, v in tags.items() if k.startswith("taint/")}
        assert taints == {
            t["key"]: f"{t.get('value', '')}:{_EFFECTS[t['effect']]}" for t in group.inputs["taints"]
        }
        gpus = {GPU_INSTANCE_TYPES[t].gpus for t in group.inputs["instanceTypes"]}
        assert tags["resources/nvidia.com/gpu"] == str(min(gpus))


def test_staging_scales_its_gpu_pool_with_karpenter_only(plan) -> None:
    result = plan("staging")
    assert result.find("kfstack:nodes:ClusterAutoscaler") == []
    assert result.find("aws:autoscaling/tag:Tag") == []


@pytest.mark.parametrize("environment", ["dev", "prod"])
def test_release_renders_with_auto_discovery_and_the_clusters_minor(plan, helm: Path, environment: str) -> None:
    result = plan(environment)
    (release,) = result.find(RELEASE, "cluster-autoscaler")
    assert release.inputs["chart"] == "cluster-autoscaler" and release.inputs["version"] == "9.59.0"
    minor = result.config.cluster.kubernetes_version
    rendered = rendered_release(release, CHARTS, minor, helm)
    (deployment,) = [o.manifest for o in rendered.objects if o.manifest["kind"] == "Deployment"]
    (container,) = deployment["spec"]["template"]["spec"]["containers"]
    assert container["image"].rsplit(":", 1)[1].startswith(f"v{minor}.")
    cluster = release.inputs["values"]["autoDiscovery"]["clusterName"]
    assert (
        f"--node-group-auto-discovery=asg:tag=k8s.io/cluster-autoscaler/enabled,k8s.io/cluster-autoscaler/{cluster}"
        in container["command"]
    )
    (account,) = [o.manifest for o in rendered.objects if o.manifest["kind"] == "ServiceAccount"]
    (association,) = result.find("aws:eks/podIdentityAssociation:PodIdentityAssociation", "cluster-autoscaler")
    assert account["metadata"]["name"] == association.inputs["serviceAccount"]
    assert account["metadata"]["namespace"] == association.inputs["namespace"]
    assert deployment["spec"]["template"]["spec"]["serviceAccountName"] == account["metadata"]["name"]


def test_autoscaled_groups_and_the_release_order(plan, custom_parts) -> None:
    result = plan("dev")
    (release,) = result.find(RELEASE, "cluster-autoscaler")
    assert custom_parts(result, "kfstack:nodes:ManagedNodeGroup") <= set(release.dependencies)
