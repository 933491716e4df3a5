import pytest

from stacks.config.components import ComponentsConfig
from stacks.config.versions import COMPONENT_KEYS, RELEASE_SETS, REQUIRES, ComponentKey, dependents_of
from tests.stacks.config.conftest import MINIMAL


def test_versions_default_to_the_release_set() -> None:
    components = ComponentsConfig()
    assert (
        components.version_of("kubeflowPipelines")
        == RELEASE_SETS["26.03"].default("kubeflowPipelines")
        == "2.16.0"
    )
    assert components.version_of("nvidiaDevicePlugin") == RELEASE_SETS["26.03"].default("nvidiaDevicePlugin")


def test_untested_version_is_rejected_with_allowed_list(problems) -> None:
    found = problems(components={"istio": {"version": "1.22.0"}})
    assert found == {
        "kfstack:components.istio.version": "not a tested version for release 26.03; allowed: 1.29.0"
    }


def test_unknown_release_set(problems) -> None:
    assert problems(components={"release": "25.10"}) == {
        "kfstack:components.release": "unknown release set; known: 26.03"
    }


def test_knative_mode_needs_knative(problems) -> None:
    found = problems(components={"kserve": {"deploymentMode": "Knative"}})
    assert found == {"kfstack:components.kserve.deploymentMode": "Knative mode needs knative.enabled: true"}
    assert problems(components={"kserve": {"deploymentMode": "Knative"}, "knative": {"enabled": True}}) == {}


def test_old_kserve_mode_name_is_rejected(problems) -> None:
    found = problems(components={"kserve": {"deploymentMode": "RawDeployment"}})
    assert "'Standard' or 'Knative'" in found["kfstack:components.kserve.deploymentMode"]


def test_a_dependent_without_its_dependency_is_rejected_naming_the_dependents(problems) -> None:
    found = problems(components={"istio": {"enabled": False}})
    assert found == {
        "kfstack:components.istio.enabled": "needed by dex, oauth2Proxy, kubeflowPipelines, profiles, "
        "kserve, mlflow, monitoring: switch those off too, or this on"
    }


@pytest.mark.parametrize("component", [key for key in REQUIRES if key not in ("knative",)])
def test_switching_a_component_off_with_its_dependents_is_valid(problems, component: ComponentKey) -> None:
    off = {key: {"enabled": False} for key in (component, *dependents_of(component))}
    found = problems(components=off, profiles=[] if "profiles" in off else MINIMAL["profiles"])
    assert found == {}


def test_manifests_come_from_the_pinned_ref_or_the_local_directory(tmp_path) -> None:
    path = "applications/profiles/upstream/overlays/kubeflow"
    assert ComponentsConfig().manifests("profiles", path) == (
        "https://github.com/kubeflow/manifests//applications/profiles/upstream/overlays/kubeflow?ref=26.03"
    )
    local = ComponentsConfig.model_validate({"manifestsDirectory": str(tmp_path)})
    assert local.manifests("profiles", path) == str(tmp_path / path)


def test_a_manifests_directory_that_does_not_exist_is_rejected(problems, tmp_path) -> None:
    missing = tmp_path / "nowhere"
    found = problems(components={"manifestsDirectory": str(missing)})
    assert found == {
        "kfstack:components.manifestsDirectory": f"not a directory (resolved to {missing}); give a "
        "kubeflow/manifests checkout at https://github.com/kubeflow/manifests@26.03"
    }


def test_determined_is_off_by_default() -> None:
    assert ComponentsConfig().determined.enabled is False


def test_component_keys_are_exactly_the_switches_and_the_release_set_entries() -> None:

    switches = {
        info.alias
        for name, info in ComponentsConfig.model_fields.items()
        if name not in ("release", "manifestsDirectory", "manifests_directory")
    }
    assert set(COMPONENT_KEYS) == switches
    for release in RELEASE_SETS.values():
        assert set(release.components) == switches


def test_setting_and_enabled_read_the_component_by_its_key() -> None:
    components = ComponentsConfig.model_validate(
        {"karpenter": {"enabled": True}, "mlflow": {"enabled": False}}
    )
    assert components.setting("karpenter") is components.karpenter
    assert components.enabled("karpenter") and not components.enabled("mlflow")
    assert components.enabled("istio") and not components.enabled("determined")


def test_canary_traffic_is_rejected_in_standard_mode(problems) -> None:
    found = problems(components={"kserve": {"canaryTrafficPercent": 10}})
    assert found == {
        "kfstack:components.kserve.canaryTrafficPercent": (
            "canary rollouts need deploymentMode: Knative (Standard mode has no revisions)"
        )
    }


def test_canary_traffic_is_accepted_in_knative_mode(problems) -> None:
    kserve = {"deploymentMode": "Knative", "canaryTrafficPercent": 10}
    assert problems(components={"kserve": kserve, "knative": {"enabled": True}}) == {}


@pytest.mark.parametrize("percent", [0, 100])
def test_canary_traffic_outside_1_to_99_is_rejected(problems, percent: int) -> None:
    kserve = {"deploymentMode": "Knative", "canaryTrafficPercent": percent}
    found = problems(components={"kserve": kserve, "knative": {"enabled": True}})
    assert list(found) == ["kfstack:components.kserve.canaryTrafficPercent"]


def test_a_platform_namespace_is_no_serving_namespace(problems) -> None:
    found = problems(components={"kserve": {"servingNamespace": "kserve"}})
    assert found == {
        "kfstack:components.kserve.servingNamespace": (
            "a platform namespace; use a profile namespace or a namespace of its own"
        )
    }


def test_monitoring_retention_sizes_and_admins_are_checked(problems) -> None:
    found = problems(
        components={
            "monitoring": {
                "retention": "two weeks",
                "retentionSize": "40G",
                "prometheusStorage": "50GB",
                "grafanaAdmins": ["ops@example.com", "not-an-email"],
            }
        }
    )
    assert set(found) == {
        "kfstack:components.monitoring.retention",
        "kfstack:components.monitoring.retentionSize",
        "kfstack:components.monitoring.prometheusStorage",
        "kfstack:components.monitoring.grafanaAdmins[1]",
    }
    assert problems(components={"monitoring": {"retention": "30d", "retentionSize": "100GiB"}}) == {}
