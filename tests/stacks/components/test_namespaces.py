"""The namespaces builder: the platform namespaces, with sidecar injection while Istio is on."""

from __future__ import annotations

from stacks.config.versions import dependents_of


def _labels(result) -> dict[str, dict]:
    """The namespaces this builder creates (components create their own, e.g. istio-system)."""
    (platform,) = result.find("kfstack:platform:Namespaces")
    return {
        n.inputs["metadata"]["name"]: n.inputs["metadata"].get("labels", {})
        for n in result.find("kubernetes:core/v1:Namespace")
        if n.parent == platform.urn
    }


def _without_profiles(values: dict) -> None:
    for key in ("profiles", *dependents_of("profiles")):
        values["components"][key] = {"enabled": False}
    values.pop("profiles", None)


def test_a_profile_namespace_is_left_to_the_profile_controller(plan) -> None:
    # the controller refuses a namespace it did not create; the pipelines namespace is a profile
    assert set(_labels(plan("local"))) == {"kubeflow", "kfstack-system"}


def test_without_profiles_the_pipelines_namespace_is_created(plan_of) -> None:
    labels = _labels(plan_of("local", _without_profiles))
    assert set(labels) == {"kubeflow", "kubeflow-user", "kfstack-system"}
    assert labels["kubeflow-user"]["istio-injection"] == "enabled"


def test_without_istio_no_namespace_asks_for_injection(plan_of) -> None:
    def no_mesh(values: dict) -> None:
        for key in ("istio", *dependents_of("istio")):
            values["components"][key] = {"enabled": False}
        values.pop("profiles", None)

    assert all("istio-injection" not in labels for labels in _labels(plan_of("local", no_mesh)).values())
