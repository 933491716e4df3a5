"""The DCGM exporter in the plan: only with a GPU pool, after monitoring, on GPU nodes only."""

from __future__ import annotations

from pathlib import Path

from kfstack.plan.helm_template import rendered_release
from stacks.components.dcgm_exporter import SPEC as DCGM_SPEC
from tests.conftest import REPO_ROOT

RELEASE = "kubernetes:helm.sh/v3:Release"
CHARTS = REPO_ROOT.parent / "shared" / "charts"


def test_without_a_gpu_pool_there_is_no_dcgm_exporter_and_the_plan_says_why(plan) -> None:
    result = plan("local")
    assert result.find(RELEASE, "dcgm-exporter") == []
    assert DCGM_SPEC.skip_reason is not None
    reason = DCGM_SPEC.skip_reason(result.config)
    assert reason and f"components.dcgmExporter is enabled but not installed: {reason}" in result.warnings


def test_dcgm_exporter_renders_a_daemonset_only_for_gpu_nodes(plan, helm: Path) -> None:
    result = plan("dev")
    (release,) = result.find(RELEASE, "dcgm-exporter")
    assert result.find(RELEASE, "monitoring")[0].urn in release.dependencies
    rendered = rendered_release(release, CHARTS, result.config.cluster.kubernetes_version, helm)
    (daemonset,) = [o.manifest for o in rendered.objects if o.manifest["kind"] == "DaemonSet"]
    pod = daemonset["spec"]["template"]["spec"]
    assert pod["nodeSelector"] == {"nvidia.com/gpu.present": "true"}
    assert {"key": "nvidia.com/gpu", "operator": "Exists", "effect": "NoSchedule"} in pod["tolerations"]
    assert "affinity" not in pod
    (monitor,) = [o.manifest for o in rendered.objects if o.manifest["kind"] == "ServiceMonitor"]
    assert monitor["spec"]["endpoints"][0]["honorLabels"] is True
