"""The cert-manager builder: on in every shipped environment; off removes it and (the config insists)
everything that needs it."""

from __future__ import annotations

import pytest

from stacks.config.errors import ConfigError

RELEASE = "kubernetes:helm.sh/v3:Release"
OFF = (
    "certManager",
    "istio",
    "dex",
    "oauth2Proxy",
    "kubeflowPipelines",
    "kserve",
    "podDefaults",
    "profiles",
    "centralDashboard",
    "mlflow",
    "monitoring",
    "dcgmExporter",
)


@pytest.mark.parametrize("environment", ["local", "dev", "staging", "prod"])
def test_every_environment_installs_the_pinned_chart_with_its_crds(plan, environment: str) -> None:
    result = plan(environment)
    (release,) = result.find(RELEASE, "cert-manager")
    assert release.inputs["chart"] == "cert-manager" and release.inputs["version"] == "v1.19.4"
    assert release.inputs["repositoryOpts"] == {"repo": "https://charts.jetstack.io"}
    assert release.inputs["values"]["crds"]["enabled"] is True


def test_eks_install_waits_for_the_nodes(plan, custom_parts) -> None:
    result = plan("dev")
    (release,) = result.find(RELEASE, "cert-manager")
    assert custom_parts(result, "kfstack:nodes:ManagedNodeGroup") <= set(release.dependencies)


def test_off_removes_it_and_its_dependents(plan_of) -> None:
    def off(values: dict) -> None:
        for key in OFF:
            values["components"][key] = {"enabled": False}
        values.pop("profiles")

    result = plan_of("local", off)
    assert result.find("kfstack:certmanager:CertManager") == []
    assert result.find(RELEASE) == []
    assert [r for r in result.resources if "istio.io" in r.type or "cert-manager.io" in r.type] == []


def test_off_with_istio_on_is_rejected(env_config) -> None:
    def only_cert_manager_off(values: dict) -> None:
        values["components"]["certManager"] = {"enabled": False}

    with pytest.raises(ConfigError, match=r"certManager.enabled.*needed by istio"):
        env_config("local", only_cert_manager_off)
