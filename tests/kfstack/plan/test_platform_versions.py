"""The plan's platform components: versions and sources from the matrix, releases with their values."""

from __future__ import annotations

import io

from rich.console import Console

from kfstack.plan.build import build_plan
from kfstack.plan.platform_versions import component_versions
from kfstack.plan.render import render_plan


def test_every_switched_on_component_is_listed_with_app_version_and_source() -> None:
    plan = build_plan("staging")
    rows = {row.key: row for row in plan.components()}
    assert "determined" not in rows  # off in staging
    assert rows["dex"].app_version == "2.45.0"
    assert rows["dex"].source == "chart dex 0.24.0 (https://charts.dexidp.io), image tag v2.45.0"
    assert rows["kubeflowPipelines"].source == "https://github.com/kubeflow/manifests@26.03"
    karpenter = rows["karpenter"]
    assert karpenter.installed
    assert [(r.name, r.version, r.namespace) for r in karpenter.releases] == [
        ("karpenter", "1.14.0", "kube-system")
    ]
    assert karpenter.releases[0].values["settings"]["clusterName"] == "kfstack-staging"


def test_a_component_that_installs_nothing_is_marked_so() -> None:
    plan = build_plan("local")  # no GPU pool: the device plugin is on but has nothing to do
    rows = {row.key: row for row in component_versions(plan.config, plan.resources)}
    assert rows["nvidiaDevicePlugin"].installed is False
    assert rows["nvidiaDevicePlugin"].releases == ()


def test_plan_json_lists_the_components_and_render_shows_versions_and_values() -> None:
    plan = build_plan("staging")
    entries = {entry["component"]: entry for entry in plan.to_json()["components"]}
    assert entries["karpenter"] == {
        "component": "karpenter",
        "appVersion": "1.14.0",
        "source": "chart karpenter 1.14.0 (oci://public.ecr.aws/karpenter)",
        "installed": True,
        "helmReleases": [
            {
                "name": "karpenter",
                "chart": "oci://public.ecr.aws/karpenter/karpenter",
                "version": "1.14.0",
                "namespace": "kube-system",
            }
        ],
    }
    out = io.StringIO()
    render_plan(plan, Console(file=out, width=100))
    text = out.getvalue()
    assert "Platform components (compatibility matrix)" in text
    assert (
        "karpenter (oci://public.ecr.aws/karpenter/karpenter 1.14.0, namespace kube-system) values:" in text
    )
    assert "    clusterName: kfstack-staging" in text


def test_a_config_file_in_values_is_shown_as_written() -> None:
    out = io.StringIO()
    render_plan(build_plan("local"), Console(file=out, width=100))
    text = out.getvalue()
    assert "    configFile: |\n      provider = \"oidc\"\n" in text
    assert "oauth2-proxy (oauth2-proxy 10.1.4, namespace oauth2-proxy) values:" in text
