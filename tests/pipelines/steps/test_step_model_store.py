"""Model store URIs, checked against what KServe 0.16 accepts (its packaged chart's storage
initializer for s3://, the controller's pvc://<claim>/<path> volume-mount form)."""

import re
import subprocess
from pathlib import Path

import pytest
import yaml

from kfstack.plan.binaries import ToolNotFound, find_tool
from pipelines.steps import model_store, serving

KSERVE_CHART = Path(__file__).resolve().parents[4] / "shared" / "charts" / "kserve-v0.16.0.tgz"


@pytest.fixture(scope="module")
def storage_initializer_formats():
    """supportedUriFormats of the default ClusterStorageContainer, rendered by helm."""
    if not KSERVE_CHART.is_file():
        pytest.skip(f"KServe chart not found at {KSERVE_CHART}")
    try:
        helm = find_tool("helm")
    except ToolNotFound as exc:
        pytest.skip(str(exc))
    rendered = subprocess.run(
        [str(helm), "template", "kserve", str(KSERVE_CHART), "--show-only",
         "templates/clusterstoragecontainer.yaml"], capture_output=True, text=True, check=True).stdout
    (container,) = [d for d in yaml.safe_load_all(rendered) if d]
    return container["spec"]["supportedUriFormats"]


def _accepted(uri, formats):
    return any(uri.startswith(f["prefix"]) if "prefix" in f else re.fullmatch(f["regex"], uri)
               for f in formats)


def test_s3_version_uri_is_a_format_the_storage_initializer_downloads(storage_initializer_formats):
    uri = model_store.version_uri("s3://kfstack-artifacts-1a2b/mlflow/models", "digits-mlp", "abc")
    assert uri == "s3://kfstack-artifacts-1a2b/mlflow/models/digits-mlp/abc"
    assert _accepted(uri, storage_initializer_formats)


def test_mlflow_artifact_uris_are_not_loadable(storage_initializer_formats):
    assert not _accepted("mlflow-artifacts:/1/abc/artifacts/serving", storage_initializer_formats)
    assert "not 'mlflow-artifacts'" in model_store.storage_uri_problem("mlflow-artifacts:/1/abc")


def test_pvc_version_uri_names_the_claim_and_a_path_inside_it():
    uri = model_store.version_uri("pvc://models", "digits-mlp", "abc")
    assert uri == "pvc://models/digits-mlp/abc"
    claim, _, path = uri.removeprefix("pvc://").partition("/")
    assert (claim, path) == ("models", "digits-mlp/abc")


@pytest.mark.parametrize("uri, problem", [
    ("pvc://Models/x", "not a valid claim name"),
    ("pvc://models", "needs a path"),
    ("pvc://models/../etc", "needs a path"),
    ("s3://b/x", "not a valid bucket name"),
    ("file:///tmp/model", "KServe loads models from pvc:// or s3://"),
])
def test_bad_uris_are_named(uri, problem):
    assert problem in model_store.storage_uri_problem(uri)


def test_manifest_validation_rejects_a_storage_uri_kserve_cannot_load():
    manifest = serving.inference_service("m", "ns", "mlflow-artifacts:/1/x", "1", "v1")
    check = serving.validate_manifest(manifest, None)
    assert any("storageUri" in error for error in check.errors)


def test_write_then_resolve_through_the_claims_mount(tmp_path):
    (tmp_path / "m.joblib").write_bytes(b"model")
    uri = model_store.version_uri("pvc://models", "digits", "r1")
    model_store.write_model(str(tmp_path / "m.joblib"), uri, str(tmp_path / "mnt"))
    assert model_store.resolve_local(uri, {"models": tmp_path / "mnt"}).read_bytes() == b"model"
    with pytest.raises(FileNotFoundError, match="no claim 'models'"):
        model_store.resolve_local(uri, {"other": tmp_path / "mnt"})
    with pytest.raises(FileNotFoundError, match=r"no model\.joblib"):
        model_store.resolve_local("pvc://models/digits/r2", {"models": tmp_path / "mnt"})


def test_writing_to_a_claim_needs_its_mount(tmp_path):
    with pytest.raises(ValueError, match="no mount of the models claim"):
        model_store.write_model(str(tmp_path / "m"), "pvc://models/a/b", None)
