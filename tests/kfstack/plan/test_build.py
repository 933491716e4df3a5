"""`build_plan` on shipped environments: deterministic JSON, manifests, explicit providers, region."""

import json
import re
import shutil
from pathlib import Path

import pytest
import yaml

from kfstack.plan.build import build_plan, write_manifests
from stacks.config.loader import ENVIRONMENTS_DIR
from stacks.mock_values import MOCK_ACCOUNT


def test_plan_json_is_byte_identical_across_runs() -> None:
    assert build_plan("local").json_text() == build_plan("local").json_text()


def test_plan_json_has_the_documented_shape(plan) -> None:
    document = json.loads(plan("local").json_text())
    assert document["environment"] == "local"
    resource = document["resources"][0]
    assert {
        "urn",
        "type",
        "name",
        "parent",
        "dependencies",
        "provider",
        "protect",
        "inputs",
    } <= set(resource)
    urns = [r["urn"] for r in document["resources"]]
    assert urns == sorted(urns)


def test_local_plan_has_no_cloud_resources(plan) -> None:
    types = {r.type for r in plan("local").resources}
    assert not any(t.startswith("aws:") for t in types)
    assert "pulumi:providers:kubernetes" in types


def test_every_kubernetes_object_uses_the_explicit_provider(plan) -> None:
    local = plan("local")
    (provider,) = local.find("pulumi:providers:kubernetes")
    objects = local.kubernetes_objects()
    assert objects
    assert all(resource.provider == provider.urn for resource, _ in objects)


def test_manifests_are_written_as_yaml(plan, tmp_path: Path) -> None:
    written = write_manifests(plan("local"), tmp_path)
    names = sorted(p.name for p in written)
    assert "Namespace._cluster.kubeflow.yaml" in names
    manifest = yaml.safe_load((tmp_path / "Namespace._cluster.kubeflow.yaml").read_text())
    assert manifest["apiVersion"] == "v1" and manifest["kind"] == "Namespace"
    assert manifest["metadata"]["labels"]["istio-injection"] == "enabled"


def test_plan_of_a_changed_environment_file(tmp_path: Path) -> None:
    shutil.copytree(ENVIRONMENTS_DIR, tmp_path, dirs_exist_ok=True)
    path = tmp_path / "Pulumi.local.yaml"
    path.write_text(path.read_text().replace("kubeflow-user", "team-a"))
    names = {
        r.inputs.get("metadata", {}).get("name") for r in build_plan("local", directory=tmp_path).resources
    }
    assert "team-a" in names and "kubeflow-user" not in names


_ARN_REGION = re.compile(r"arn:aws[a-z-]*:[a-z0-9-]+:([a-z0-9-]*):")
_ENDPOINT_REGION = re.compile(r"\.([a-z]{2}(?:-gov)?-[a-z]+-\d)\.(?:[a-z0-9-]+\.)?amazonaws\.com")


@pytest.mark.parametrize("environment", ["dev", "staging", "prod"])
def test_every_arn_and_endpoint_of_an_eks_plan_is_in_the_stacks_region(plan, environment: str) -> None:
    result = plan(environment)
    region = result.config.cluster.eks.region
    text = result.json_text()
    arn_regions = set(_ARN_REGION.findall(text)) - {""}  # IAM and S3 ARNs carry no region
    assert arn_regions == {region}
    assert set(_ENDPOINT_REGION.findall(text)) == {region}
    assert f":{MOCK_ACCOUNT}:" in text
