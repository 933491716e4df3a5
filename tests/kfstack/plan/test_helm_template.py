"""Every Helm release of every shipped environment renders with the real `helm template` from the packaged
chart at its pinned version and the plan's values, and every object it renders validates."""

from __future__ import annotations

import dataclasses
import io
import tarfile
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

import pulumi
import pulumi_kubernetes as k8s
import pytest
import yaml

from kfstack.plan.build import Plan, build_plan
from kfstack.plan.crd_owners import owners_of
from kfstack.plan.crd_schemas import CrdSchemas, crd_object_schemas, crd_validation
from kfstack.plan.helm_template import (
    RELEASE_TYPE,
    ChartPackageMissing,
    HelmTemplateError,
    HelmTemplateFailed,
    RenderedObject,
    RenderedRelease,
    chart_package,
    placeholder_paths,
    release_spec,
    release_validation,
    rendered_objects,
    rendered_release,
)
from kfstack.plan.kubernetes_objects import api_group_version_kind, is_kubernetes_object, kubernetes_object
from kfstack.plan.recorder import RecordedResource
from modules.karpenter import node_pool_spec
from stacks.config.loader import known_environments


# Plans are built while collecting, to get one test case per (environment, release); cached so each
# environment's program runs once in this module.
@cache
def _plan(environment: str) -> Plan:
    return build_plan(environment)


def _resource(environment: str, urn: str) -> RecordedResource:
    (found,) = [r for r in _plan(environment).resources if r.urn == urn]
    return found


RELEASE_CASES = [
    pytest.param(environment, release.urn, id=f"{environment}-{release.name}")
    for environment in known_environments()
    for release in _plan(environment).find(RELEASE_TYPE)
]


def _custom_resources_installed_by_a_release() -> list[Any]:
    cases = []
    for environment in known_environments():
        resources = _plan(environment).resources
        releases = {r.urn for r in resources if r.type == RELEASE_TYPE}
        for r in resources:
            if is_kubernetes_object(r):
                for owner in sorted(owners_of(api_group_version_kind(r)[0], resources) & releases):
                    cases.append(pytest.param(environment, r.urn, owner, id=f"{environment}-{r.name}"))
    return cases


CUSTOM_RESOURCE_CASES = _custom_resources_installed_by_a_release()


@cache
def _rendered(environment: str, urn: str, charts_dir: Path, helm: Path) -> RenderedRelease:
    plan = _plan(environment)
    return rendered_release(
        _resource(environment, urn), charts_dir, plan.config.cluster.kubernetes_version, helm
    )


def test_shipped_environments_have_releases_to_render() -> None:
    """Guards the parametrized cases below against silently collecting nothing."""
    assert RELEASE_CASES


@pytest.mark.parametrize(("environment", "release_urn"), RELEASE_CASES)
def test_release_renders_from_its_pinned_chart_and_every_object_validates(
    environment: str, release_urn: str, charts_dir: Path, helm: Path, crd_dir: Path
) -> None:
    rendered = _rendered(environment, release_urn, charts_dir, helm)
    assert rendered.objects, f"{rendered.package.name} rendered no objects"
    validation = release_validation(rendered, crd_dir)
    assert validation.problems == [], "\n".join(p.render() for p in validation.problems)
    assert validation.unchecked == []


@pytest.mark.parametrize(("environment", "resource_urn", "release_urn"), CUSTOM_RESOURCE_CASES)
def test_planned_custom_resource_validates_against_the_crd_its_release_renders(
    environment: str, resource_urn: str, release_urn: str, charts_dir: Path, helm: Path
) -> None:
    """The CRD folder may lag a pin; the chart's own CRDs are what the pinned release installs."""
    rendered = _rendered(environment, release_urn, charts_dir, helm)
    obj = kubernetes_object(_resource(environment, resource_urn))
    group, version, kind = api_group_version_kind(_resource(environment, resource_urn))
    schema = CrdSchemas(None, crd_object_schemas(o.manifest for o in rendered.objects)).find(
        group, version, kind
    )
    assert schema is not None, f"{rendered.package.name} renders no CRD for {group}/{version} {kind}"
    result = crd_validation(obj, schema.schema)
    assert [f"{list(e.absolute_path)}: {e.message}" for e in result.errors] == []


# --- hand-made releases -------------------------------------------------------------------------


@pytest.fixture
def recorded_release(record: Callable[..., Any]) -> Callable[..., RecordedResource]:
    """`recorded_release(chart=..., version=..., values=...)`: a Release as the plan records it."""

    def _recorded(logical_name: str = "test-release", **release_args: Any) -> RecordedResource:
        def program() -> None:
            provider = k8s.Provider("k8s", kubeconfig="/dev/null", context="test")
            k8s.helm.v3.Release(logical_name, opts=pulumi.ResourceOptions(provider=provider), **release_args)

        return record(program).one(RELEASE_TYPE)

    return _recorded


def test_missing_chart_package_names_the_expected_files(
    recorded_release: Callable[..., RecordedResource], tmp_path: Path
) -> None:
    (tmp_path / "nvidia-device-plugin-0.18.2.tgz").write_bytes(b"")
    release = recorded_release(
        chart="nvidia-device-plugin",
        version="0.20.1",
        namespace="kube-system",
        repository_opts=k8s.helm.v3.RepositoryOptsArgs(repo="https://nvidia.github.io/k8s-device-plugin"),
    )
    with pytest.raises(ChartPackageMissing) as caught:
        rendered_release(release, tmp_path, "1.34", helm=Path("/nonexistent/helm"))
    message = str(caught.value)
    assert "nvidia-device-plugin-0.20.1.tgz or nvidia-device-plugin-v0.20.1.tgz" in message
    assert str(tmp_path) in message and "https://nvidia.github.io/k8s-device-plugin" in message
    assert "there is nvidia-device-plugin-0.18.2.tgz" in message
    assert caught.value.expected == (
        tmp_path / "nvidia-device-plugin-0.20.1.tgz",
        tmp_path / "nvidia-device-plugin-v0.20.1.tgz",
    )


def _package(directory: Path, file_name: str, chart_yaml: dict[str, Any]) -> Path:
    """A minimal chart package: just `<name>/Chart.yaml`."""
    data = yaml.safe_dump(chart_yaml).encode()
    path = directory / file_name
    with tarfile.open(path, "w:gz") as tar:
        info = tarfile.TarInfo(f"{chart_yaml['name']}/Chart.yaml")
        info.size = len(data)
        tar.addfile(info, io.BytesIO(data))
    return path


def test_package_is_found_with_or_without_a_v_and_by_the_last_segment_of_an_oci_ref(
    recorded_release: Callable[..., RecordedResource], tmp_path: Path
) -> None:
    cert_manager = _package(
        tmp_path, "cert-manager-v1.19.4.tgz", {"name": "cert-manager", "version": "v1.19.4"}
    )
    karpenter = _package(tmp_path, "karpenter-1.14.0.tgz", {"name": "karpenter", "version": "1.14.0"})
    assert (
        chart_package(tmp_path, release_spec(recorded_release(chart="cert-manager", version="1.19.4")))
        == cert_manager
    )
    assert (
        chart_package(tmp_path, release_spec(recorded_release(chart="cert-manager", version="v1.19.4")))
        == cert_manager
    )
    oci = recorded_release(chart="oci://public.ecr.aws/karpenter/karpenter", version="1.14.0")
    assert chart_package(tmp_path, release_spec(oci)) == karpenter


def test_package_whose_chart_yaml_disagrees_with_its_file_name_is_rejected(
    recorded_release: Callable[..., RecordedResource], tmp_path: Path
) -> None:
    _package(tmp_path, "dex-0.24.0.tgz", {"name": "dex", "version": "0.23.0"})
    with pytest.raises(HelmTemplateError, match=r"holds chart dex 0\.23\.0, not dex 0\.24\.0"):
        chart_package(tmp_path, release_spec(recorded_release(chart="dex", version="0.24.0")))


def test_release_spec_reads_the_recorded_inputs(recorded_release: Callable[..., RecordedResource]) -> None:
    spec = release_spec(
        recorded_release(
            name="kp",
            chart="oci://public.ecr.aws/karpenter/karpenter",
            version="1.14.0",
            values={"replicas": 1},
            skip_crds=True,
        )
    )
    assert (spec.release_name, spec.chart_name, spec.namespace) == ("kp", "karpenter", "default")
    assert spec.values == {"replicas": 1} and spec.include_crds is False
    unnamed = release_spec(recorded_release(logical_name="logical", chart="dex", version="0.24.0"))
    assert unnamed.release_name == "logical"  # without `name` Pulumi auto-names; the logical name stands in


def test_release_without_a_pinned_version_is_rejected(
    recorded_release: Callable[..., RecordedResource],
) -> None:
    with pytest.raises(HelmTemplateError, match="has no pinned version"):
        release_spec(recorded_release(chart="dex"))


def test_release_whose_values_are_unknown_at_plan_time_is_rejected() -> None:
    with pytest.raises(HelmTemplateError, match=r"has values '\[unknown\]', not a mapping"):
        release_spec(_bare_release(values="[unknown]"))


def test_release_with_a_post_renderer_is_not_rendered(
    recorded_release: Callable[..., RecordedResource],
) -> None:
    with pytest.raises(HelmTemplateError, match="sets postrender"):
        release_spec(recorded_release(chart="dex", version="0.24.0", postrender="/usr/bin/kustomize-wrapper"))


def test_helm_failure_carries_its_stderr(
    recorded_release: Callable[..., RecordedResource], charts_dir: Path, helm: Path
) -> None:
    # karpenter's deployment template fails without settings.clusterName
    release = recorded_release(
        chart="oci://public.ecr.aws/karpenter/karpenter", version="1.14.0", namespace="kube-system"
    )
    with pytest.raises(HelmTemplateFailed) as caught:
        rendered_release(release, charts_dir, "1.34", helm)
    assert "Chart cannot be installed without a valid settings.clusterName" in caught.value.stderr
    assert "karpenter-1.14.0.tgz" in str(caught.value) and caught.value.stderr.strip() in str(caught.value)


def test_value_that_renders_an_invalid_object_is_caught(
    recorded_release: Callable[..., RecordedResource], charts_dir: Path, helm: Path
) -> None:
    release = recorded_release(
        name="ndp",
        chart="nvidia-device-plugin",
        version="0.18.2",
        namespace="kube-system",
        values={
            "tolerations": [{"key": "nvidia.com/gpu", "operator": "Exists", "tolerationSeconds": "soon"}]
        },
    )
    rendered = rendered_release(release, charts_dir, "1.34", helm)
    problems = release_validation(rendered, None).problems
    assert problems, "a string tolerationSeconds rendered into the DaemonSet must fail its schema"
    assert {p.schema_path for p in problems} == {"spec.template.spec.tolerations[0].tolerationSeconds"}
    assert all(
        p.check == "Kubernetes 1.34 schema" and "DaemonSet/kube-system/ndp-" in p.resource for p in problems
    )


def test_custom_resources_are_checked_against_the_crds_the_chart_renders(
    recorded_release: Callable[..., RecordedResource], charts_dir: Path, helm: Path
) -> None:
    release = recorded_release(
        name="karpenter",
        chart="oci://public.ecr.aws/karpenter/karpenter",
        version="1.14.0",
        namespace="kube-system",
        values={"settings": {"clusterName": "test"}},
    )
    rendered = rendered_release(release, charts_dir, "1.34", helm)
    spec = node_pool_spec("gpu", ["g5.xlarge"], "ON_DEMAND", "x86_64", {}, [], {"nvidia.com/gpu": "4"})
    pool = {"apiVersion": "karpenter.sh/v1", "kind": "NodePool", "metadata": {"name": "gpu"}, "spec": spec}
    bad_spec = {**spec, "disruption": {"consolidationPolicy": "Sometimes", "consolidateAfter": "5m"}}
    bad_pool = {**pool, "metadata": {"name": "bad"}, "spec": bad_spec}
    with_pools = dataclasses.replace(
        rendered, objects=[*rendered.objects, RenderedObject("test", pool), RenderedObject("test", bad_pool)]
    )
    # no CRD folder: only the chart's own CRDs can have checked the pools
    validation = release_validation(with_pools, crd_dir=None)
    assert [(p.resource, p.check, p.schema_path) for p in validation.problems] == [
        (
            "karpenter NodePool/bad (test)",
            "CRD karpenter.sh/v1 NodePool",
            "spec.disruption.consolidationPolicy",
        )
    ]
    assert validation.unchecked == []


def test_custom_resource_without_any_schema_is_a_problem_given_a_crd_folder(tmp_path: Path) -> None:
    widget = {"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "w"}}
    rendered = RenderedRelease(
        release_spec(_bare_release()),
        tmp_path / "x.tgz",
        "1.34",
        [RenderedObject("x/templates/w.yaml", widget)],
    )
    (problem,) = release_validation(rendered, tmp_path).problems
    assert "example.com/v1 Widget is neither a Kubernetes 1.34 kind nor in a CRD schema" in problem.message
    (note,) = release_validation(rendered, None).unchecked
    assert "no CRD folder given" in note


def test_duplicate_and_nameless_objects_are_problems(tmp_path: Path) -> None:
    configmap = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c", "namespace": "n"}}
    nameless = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {}}
    objects = [
        RenderedObject("a.yaml", configmap),
        RenderedObject("b.yaml", configmap),
        RenderedObject("c.yaml", nameless),
    ]
    rendered = RenderedRelease(release_spec(_bare_release()), tmp_path / "x.tgz", "1.34", objects)
    checks = [p.check for p in release_validation(rendered, None).problems]
    assert checks == ["duplicate object", "duplicate object", "object identity"]


def _bare_release(**inputs: Any) -> RecordedResource:
    """A Release record as the plan file holds it (for inputs a program under mocks cannot produce)."""
    return RecordedResource(
        urn=f"urn:pulumi:t::kfstack::{RELEASE_TYPE}::x",
        type=RELEASE_TYPE,
        name="x",
        parent="",
        custom=True,
        dependencies=[],
        provider="",
        protect=False,
        retain_on_delete=False,
        inputs={"chart": "x", "version": "1.0.0", **inputs},
    )


# --- parsing helm's output ----------------------------------------------------------------------

RENDERED = """\
---
# Source: chart/crds/widgets.yaml
---
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: widgets.example.com
spec:
  versions:
  - schema:
      openAPIV3Schema:
        properties:
          op:
            enum: [=, "!="]
--- # trailing comment
# Source: chart/templates/cm.yaml
apiVersion: v1
kind: ConfigMap
metadata:
  name: c
  annotations:
    created: 2024-01-02
data:
  script: |
    echo hello
---
# Source: chart/templates/list.yaml
apiVersion: v1
kind: List
items:
- {apiVersion: v1, kind: ServiceAccount, metadata: {name: a}}
- {apiVersion: v1, kind: ServiceAccount, metadata: {name: b}}
"""


def test_rendered_output_is_split_like_kubectl_with_each_objects_source() -> None:
    objects = rendered_objects(RENDERED)
    assert [(o.source, o.label()) for o in objects] == [
        ("chart/crds/widgets.yaml", "CustomResourceDefinition/widgets.example.com"),
        ("chart/templates/cm.yaml", "ConfigMap/c"),
        ("chart/templates/list.yaml", "ServiceAccount/a"),
        ("chart/templates/list.yaml", "ServiceAccount/b"),
    ]
    crd, configmap = objects[0].manifest, objects[1].manifest
    # PyYAML's SafeLoader raises on a bare `=` (kube-prometheus-stack's CRDs have one); here it is a string
    assert crd["spec"]["versions"][0]["schema"]["openAPIV3Schema"]["properties"]["op"]["enum"] == ["=", "!="]
    assert configmap["metadata"]["annotations"]["created"] == "2024-01-02"  # a string, as Kubernetes reads it
    assert configmap["data"]["script"] == "echo hello\n"


def test_pyyaml_safe_loader_alone_fails_on_the_bare_equals_sign() -> None:
    """Keeps the workaround above honest: if PyYAML ever reads `=` itself, this test says so."""
    with pytest.raises(yaml.constructor.ConstructorError, match=r"tag:yaml.org,2002:value"):
        yaml.safe_load("enum: [=]")


def test_document_that_is_not_a_mapping_is_an_error() -> None:
    with pytest.raises(HelmTemplateError, match=r"chart/templates/x.yaml: a document is not a mapping"):
        rendered_objects("---\n# Source: chart/templates/x.yaml\n- just\n- a list\n")


def test_placeholders_in_values_are_listed() -> None:
    values = {
        "auth": {"password": "[secret]", "users": [{"name": "a"}, {"hash": "[unknown]"}]},
        "replicas": 2,
    }
    assert placeholder_paths(values) == ["auth.password", "auth.users[1].hash"]
