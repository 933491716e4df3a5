"""Plan checks catch what the mock runtime lets through: schema errors, duplicate URNs, CRD order."""

from collections.abc import Callable

import pulumi
import pulumi_kubernetes as k8s

from kfstack.plan.checks import check_plan
from kfstack.plan.recorder import record_program
from stacks.components.karpenter import SPEC as KARPENTER
from stacks.config.components import ComponentsConfig


def _provider() -> k8s.Provider:
    return k8s.Provider("p", kubeconfig="/dev/null", context="ctx")


def test_invalid_kubernetes_object_names_resource_and_schema_path() -> None:
    def program() -> None:
        k8s.core.v1.ConfigMap(
            "bad",
            metadata={"name": "x"},
            data={"k": 1},
            opts=pulumi.ResourceOptions(provider=_provider()),
        )

    problems = check_plan(record_program(program, stack="t").resources, "1.33", None)
    assert len(problems) == 1
    assert problems[0].resource == "bad (ConfigMap/x)"
    assert problems[0].schema_path == "data.k"
    assert "Kubernetes 1.33 schema" in problems[0].render()


def test_valid_object_passes() -> None:
    def program() -> None:
        k8s.core.v1.ConfigMap(
            "ok",
            metadata={"name": "x"},
            data={"k": "v"},
            opts=pulumi.ResourceOptions(provider=_provider()),
        )

    assert check_plan(record_program(program, stack="t").resources, "1.33", None) == []


def test_duplicate_urns_are_rejected() -> None:
    def program() -> None:
        provider = _provider()
        for _ in range(2):
            k8s.core.v1.Namespace(
                "same", metadata={"name": "n"}, opts=pulumi.ResourceOptions(provider=provider)
            )

    problems = check_plan(record_program(program, stack="t").resources, "1.33", None)
    assert [p.check for p in problems] == ["duplicate URN"]
    assert problems[0].resource.endswith("::same")


def _karpenter_program(depend: bool, spec: dict) -> None:
    provider = _provider()
    (chart,) = KARPENTER.charts  # the chart the karpenter component declares as owner of its CRDs
    pinned = chart.pinned(ComponentsConfig())
    release = k8s.helm.v3.Release(
        "karpenter",
        chart=pinned.name,
        version=pinned.version,
        opts=pulumi.ResourceOptions(provider=provider),
    )
    k8s.apiextensions.CustomResource(
        "pool",
        api_version="karpenter.sh/v1",
        kind="NodePool",
        metadata={"name": "gpu"},
        spec=spec,
        opts=pulumi.ResourceOptions(provider=provider, depends_on=[release] if depend else []),
    )


VALID_NODEPOOL_SPEC = {
    "template": {
        "spec": {
            "nodeClassRef": {"group": "karpenter.k8s.aws", "kind": "EC2NodeClass", "name": "gpu"},
            "requirements": [
                {"key": "karpenter.k8s.aws/instance-family", "operator": "In", "values": ["g5"]}
            ],
        }
    }
}


def test_custom_resource_validates_against_its_crd(crd_dir) -> None:
    resources = record_program(lambda: _karpenter_program(True, VALID_NODEPOOL_SPEC), stack="t").resources
    assert check_plan(resources, "1.33", crd_dir) == []


def test_custom_resource_schema_violation_is_reported(crd_dir) -> None:
    spec = {"template": {"spec": {"requirements": []}}}
    problems = check_plan(
        record_program(lambda: _karpenter_program(True, spec), stack="t").resources, "1.33", crd_dir
    )
    assert problems and problems[0].check == "CRD karpenter.sh/v1 NodePool"
    assert "nodeClassRef" in problems[0].message
    assert problems[0].schema_path == "spec.template.spec"


def test_custom_resource_must_depend_on_its_crd_owner(crd_dir) -> None:
    problems = check_plan(
        record_program(lambda: _karpenter_program(False, VALID_NODEPOOL_SPEC), stack="t").resources,
        "1.33",
        crd_dir,
    )
    assert [p.check for p in problems] == ["CRD owner"]
    assert "does not depend on" in problems[0].message and "karpenter.sh" in problems[0].message


def test_unknown_custom_resource_without_schema_fails_when_crds_are_checked(crd_dir) -> None:
    def program() -> None:
        k8s.apiextensions.CustomResource(
            "thing",
            api_version="example.com/v1",
            kind="Thing",
            metadata={"name": "t"},
            opts=pulumi.ResourceOptions(provider=_provider()),
        )

    checks = {p.check for p in check_plan(record_program(program, stack="t").resources, "1.33", crd_dir)}
    assert checks == {"CRD schema", "CRD owner"}


def test_a_custom_resource_of_a_remote_kustomization_is_not_held_to_an_owner_offline() -> None:
    """Offline a remote kustomization registers no objects: its declared CRDs stand for it (the plan warns)."""

    class Install(pulumi.ComponentResource):
        def __init__(self, declared: list[str]) -> None:
            super().__init__(
                "kfstack:kustomize:Install", "profiles", {"source": "https://x", "declaredCrds": declared}
            )

    def program(declared: list[str]) -> Callable[[], None]:
        def run() -> None:
            Install(declared)
            k8s.apiextensions.CustomResource(
                "team",
                api_version="kubeflow.org/v1",
                kind="Profile",
                metadata={"name": "team"},
                spec={"owner": {"kind": "User", "name": "a@example.com"}},
                opts=pulumi.ResourceOptions(provider=_provider()),
            )

        return run

    assert (
        check_plan(record_program(program(["profiles.kubeflow.org"]), stack="t").resources, "1.33", None)
        == []
    )
    undeclared = check_plan(record_program(program([]), stack="t").resources, "1.33", None)
    assert [p.check for p in undeclared] == ["CRD owner"]


def test_a_crd_schema_with_a_go_regex_is_checked_without_crashing(crd_dir) -> None:
    """prometheus-operator's `^(?i)(abort|warn)?$` is RE2, not Python: the pattern goes unchecked."""

    def rule(strategy: str) -> Callable[[], None]:
        def program() -> None:
            k8s.apiextensions.CustomResource(
                "rule",
                api_version="monitoring.coreos.com/v1",
                kind="PrometheusRule",
                metadata={"name": "r", "namespace": "monitoring"},
                spec={
                    "groups": [
                        {
                            "name": "g",
                            "partial_response_strategy": strategy,
                            "rules": [{"alert": "A", "expr": "up == 0"}],
                        }
                    ]
                },
                opts=pulumi.ResourceOptions(provider=_provider()),
            )

        return program

    problems = check_plan(record_program(rule("warn"), stack="t").resources, "1.33", crd_dir)
    assert [p.check for p in problems] == ["CRD owner"]  # nothing here installs monitoring.coreos.com
    typed = check_plan(record_program(rule(7), stack="t").resources, "1.33", crd_dir)  # type: ignore[arg-type]
    assert any(
        p.check == "CRD monitoring.coreos.com/v1 PrometheusRule" and "7 is not of type 'string'" in p.message
        for p in typed
    )


def test_a_secret_placeholder_is_not_a_schema_violation_but_a_wrong_plain_value_is() -> None:
    def program() -> None:
        provider = pulumi.ResourceOptions(provider=_provider())
        # pulumi_kubernetes marks a Secret's whole stringData secret: the plan records it as "[secret]"
        k8s.core.v1.Secret("s", metadata={"name": "s"}, string_data={"k": "v"}, opts=provider)
        k8s.core.v1.ConfigMap("bad", metadata={"name": "x"}, data={"k": 1}, opts=provider)

    recorded = record_program(program, stack="t").resources
    (secret,) = [r for r in recorded if r.name == "s"]
    assert secret.inputs["stringData"] == "[secret]"
    problems = check_plan(recorded, "1.33", None)
    assert [p.resource for p in problems] == ["bad (ConfigMap/x)"]
