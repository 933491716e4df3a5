"""The compatibility matrix: pins keep app, chart and image versions apart; dependencies are sound."""

from __future__ import annotations

import re

import pytest

from stacks.config.components import ComponentsConfig
from stacks.config.versions import COMPONENT_KEYS, RELEASE_SETS, REQUIRES, Manifests, dependents_of


def test_every_dependency_is_a_component_and_nothing_needs_itself() -> None:
    for key, needed in REQUIRES.items():
        assert key not in dependents_of(key)
        assert set(needed) <= set(COMPONENT_KEYS)


def test_a_pin_names_chart_and_app_versions_apart() -> None:
    dex = RELEASE_SETS["26.03"].pin("dex")
    assert (dex.app_version, dex.chart("dex").version, dex.image_tag) == ("2.45.0", "0.24.0", "v2.45.0")
    pipelines = ComponentsConfig().pin("kubeflowPipelines")
    assert pipelines.source() == "https://github.com/kubeflow/manifests@26.03"


def test_an_untested_version_is_a_key_error_naming_the_release() -> None:
    with pytest.raises(KeyError, match=re.escape("istio 1.22.0 is not tested in release 26.03")):
        RELEASE_SETS["26.03"].pin("istio", "1.22.0")
    assert RELEASE_SETS["26.03"].tested_versions("nvidiaDevicePlugin") == ("0.18.2", "0.20.0")


def test_dependents_are_transitive() -> None:
    assert "centralDashboard" in dependents_of("dex")  # via oauth2Proxy
    assert dependents_of("centralDashboard") == ()


def test_a_manifests_url_is_a_kustomize_remote_target() -> None:
    manifests = Manifests("https://github.com/kubeflow/manifests", "26.03")
    assert manifests.url("/common/kubeflow-roles/base/") == (
        "https://github.com/kubeflow/manifests//common/kubeflow-roles/base?ref=26.03"
    )


def test_every_release_set_pins_every_component_and_only_supported_kubernetes_versions() -> None:
    from stacks.config.versions import SUPPORTED_KUBERNETES_VERSIONS

    for release in RELEASE_SETS.values():
        assert set(release.components) == set(COMPONENT_KEYS)
        assert set(release.kubernetes_versions) <= set(SUPPORTED_KUBERNETES_VERSIONS)
        for key, pins in release.components.items():
            assert pins, key
            for pin in pins:
                assert bool(pin.charts) != (pin.manifests is not None), (
                    f"{key}: charts or manifests, not both"
                )


def test_every_supported_kubernetes_minor_has_one_cluster_autoscaler_pin_the_default_the_newest_tested() -> None:
    from stacks.config.versions import SUPPORTED_KUBERNETES_VERSIONS

    for release in RELEASE_SETS.values():
        versions = release.tested_versions("clusterAutoscaler")
        for minor in SUPPORTED_KUBERNETES_VERSIONS:
            assert len([v for v in versions if v.startswith(f"{minor}.")]) == 1, (release.name, minor)
        for version in versions:
            assert release.pin("clusterAutoscaler", version).image_tag == f"v{version}"
        newest_tested = max(release.kubernetes_versions, key=lambda v: tuple(map(int, v.split("."))))
        assert release.pin("clusterAutoscaler").app_version.startswith(f"{newest_tested}.")
