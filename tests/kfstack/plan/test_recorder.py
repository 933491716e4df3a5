import pulumi
import pulumi_kubernetes as k8s
import pytest

from kfstack.plan.recorder import ProgramNeverRan, record_program


def _namespace_program(secret: bool = False) -> None:
    provider = k8s.Provider("p", kubeconfig="/dev/null", context="ctx")
    labels = {"team": pulumi.Output.secret("hidden") if secret else "a"}
    ns = k8s.core.v1.Namespace(
        "ns",
        metadata={"name": "x", "labels": labels},
        opts=pulumi.ResourceOptions(provider=provider, protect=True),
    )
    k8s.core.v1.ConfigMap(
        "cm",
        metadata={"name": "cm", "namespace": ns.metadata.name},
        data={"k": "v"},
        opts=pulumi.ResourceOptions(provider=provider, depends_on=[ns]),
    )


def test_records_inputs_parent_provider_protect_and_dependencies() -> None:
    records = {r.name: r for r in record_program(_namespace_program, stack="t").resources}
    ns, cm, provider = records["ns"], records["cm"], records["p"]
    assert ns.inputs["metadata"] == {"name": "x", "labels": {"team": "a"}}
    assert ns.protect is True and cm.protect is False
    assert ns.provider == provider.urn == cm.provider
    assert ns.urn in cm.dependencies
    assert cm.inputs["metadata"]["namespace"] == "x"  # output of the mocked namespace flowed through


def test_secret_inputs_are_redacted() -> None:
    records = {r.name: r for r in record_program(lambda: _namespace_program(secret=True), stack="t").resources}
    assert records["ns"].inputs["metadata"]["labels"]["team"] == "[secret]"
    assert "hidden" not in repr(records["ns"].inputs)
    assert records["ns"].secret_paths == ["metadata.labels.team"]


def test_program_that_registers_nothing_fails_loudly() -> None:
    with pytest.raises(ProgramNeverRan):
        record_program(lambda: None, stack="t")


def test_program_errors_propagate_and_runtime_is_reset() -> None:
    def broken() -> None:
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError, match="boom"):
        record_program(broken, stack="t")
    # a later run works: global runtime state did not leak
    assert record_program(_namespace_program, stack="t").resources


def test_program_warnings_are_recorded_not_printed(capsys) -> None:
    import pulumi

    def warns() -> None:
        _namespace_program()
        pulumi.log.warn("components.istio is enabled but not installed: reason")

    record = record_program(warns, stack="t")
    assert record.warnings == ["components.istio is enabled but not installed: reason"]
    captured = capsys.readouterr()
    assert "components.istio" not in captured.err + captured.out


def test_display_type_shortens_cloud_tokens_but_keeps_kubernetes_group_version() -> None:
    from kfstack.plan.render import display_type

    assert display_type("aws:iam/rolePolicyAttachment:RolePolicyAttachment") == "aws:iam:RolePolicyAttachment"
    assert display_type("kubernetes:core/v1:PersistentVolumeClaim") == "kubernetes:core/v1:PersistentVolumeClaim"
    assert display_type("kfstack:cluster:EksCluster") == "kfstack:cluster:EksCluster"


def test_dynamic_resources_leave_pickle_as_it_was() -> None:
    """pulumi.dynamic wraps pickle's `_batch_setitems` per resource; many plans must not nest it."""
    import pickle

    from kfstack.plan.build import build_plan

    before = pickle._Pickler._batch_setitems
    result = build_plan("local")
    assert any(r.type.startswith("pulumi-python:dynamic") for r in result.resources)
    assert pickle._Pickler._batch_setitems is before
