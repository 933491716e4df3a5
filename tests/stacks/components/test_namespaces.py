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


def test_platform_namespaces_include_the_pipelines_namespace(plan) -> None:
    labels = _labels(plan("local"))
    assert set(labels) == {"kubeflow", "kubeflow-user", "kfstack-system"}
    assert labels["kubeflow-user"]["istio-injection"] == "enabled"


def test_without_istio_no_namespace_asks_for_injection(plan_of) -> None:
    def no_mesh(values: dict) -> None:
        for key in ("istio", *dependents_of("istio")):
            values["components"][key] = {"enabled": False}
        values.pop("profiles", None)

    assert all("istio-injection" not in labels for labels in _labels(plan_of("local", no_mesh)).values())
