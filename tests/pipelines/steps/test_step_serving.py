import pytest

from pipelines.steps import serving


def _manifest(**overrides):
    args = {"name": "digits-mlp", "namespace": "kfstack-serving",
            "storage_uri": "s3://models/1/abc/artifacts/serving", "model_version": "1",
            "protocol": "v1"} | overrides
    return serving.inference_service(**args)


def test_manifest_uses_standard_mode_and_sklearn_runtime():
    manifest = _manifest(protocol="v2")
    assert manifest["apiVersion"] == "serving.kserve.io/v1beta1"
    assert manifest["metadata"]["annotations"] == {
        "serving.kserve.io/deploymentMode": "Standard"}
    model = manifest["spec"]["predictor"]["model"]
    assert model["modelFormat"] == {"name": "sklearn"}
    assert model["protocolVersion"] == "v2"
    assert model["storageUri"] == "s3://models/1/abc/artifacts/serving"


def test_service_names_are_dns_1035():
    assert serving.service_name("Digits_MLP v2") == "digits-mlp-v2"
    assert serving.service_name("7-up") == "up"
    with pytest.raises(ValueError):
        serving.service_name("___")


def test_manifest_validates_against_the_kserve_crd():
    schema = serving.crd_schema_path()
    if schema is None:
        pytest.skip("CRD schemas not present (set KFSTACK_CRD_DIR or check out ../shared/crds)")
    result = serving.validate_manifest(_manifest(), schema)
    assert result.ok, result.errors
    assert result.method.startswith("CRD schema")


def test_crd_validation_catches_schema_violations():
    schema = serving.crd_schema_path()
    if schema is None:
        pytest.skip("CRD schemas not present (set KFSTACK_CRD_DIR or check out ../shared/crds)")
    manifest = _manifest()
    manifest["spec"]["predictor"]["model"]["resources"] = "lots"
    result = serving.validate_manifest(manifest, schema)
    assert any(e.startswith("spec.predictor.model.resources") for e in result.errors)


def test_without_crd_the_reduced_check_says_so_and_still_checks(tmp_path, monkeypatch):
    monkeypatch.setenv("KFSTACK_CRD_DIR", str(tmp_path))
    assert serving.crd_schema_path() is None
    manifest = _manifest()
    manifest["metadata"]["annotations"]["serving.kserve.io/deploymentMode"] = "RawDeployment"
    result = serving.validate_manifest(manifest, None)
    assert result.method.startswith("reduced structural check (CRD schema not found")
    assert result.errors == (
        "serving.kserve.io/deploymentMode must be Standard or Knative, got 'RawDeployment'",)


def test_crd_dir_env_var_is_honoured(tmp_path, monkeypatch):
    target = tmp_path / "serving.kserve.io" / "InferenceService_v1beta1.json"
    target.parent.mkdir()
    target.write_text("{}")
    monkeypatch.setenv("KFSTACK_CRD_DIR", str(tmp_path))
    assert serving.crd_schema_path() == target


def test_knative_canary_sends_its_share_to_the_new_revision_and_validates():
    manifest = _manifest(deployment_mode="Knative", canary_traffic_percent=10,
                         service_account="kfstack-model-server")
    assert manifest["metadata"]["annotations"] == {"serving.kserve.io/deploymentMode": "Knative"}
    predictor = manifest["spec"]["predictor"]
    assert predictor["canaryTrafficPercent"] == 10
    assert predictor["serviceAccountName"] == "kfstack-model-server"
    schema = serving.crd_schema_path()
    if schema is not None:
        result = serving.validate_manifest(manifest, schema)
        assert result.ok, result.errors


def test_canary_in_standard_mode_or_out_of_range_is_refused():
    with pytest.raises(ValueError, match="canary rollouts need deployment_mode Knative"):
        _manifest(canary_traffic_percent=10)
    with pytest.raises(ValueError, match=r"0\.\.99"):
        _manifest(deployment_mode="Knative", canary_traffic_percent=100)
    with pytest.raises(ValueError, match="deployment_mode must be one of"):
        _manifest(deployment_mode="RawDeployment")
    assert "canaryTrafficPercent" not in _manifest()["spec"]["predictor"]


def test_promotion_with_a_canary_takes_its_share_first_then_all_traffic():
    canary = _manifest(deployment_mode="Knative", canary_traffic_percent=20)
    first, last = serving.promotion_stages(canary)
    assert first is canary and first["spec"]["predictor"]["canaryTrafficPercent"] == 20
    assert "canaryTrafficPercent" not in last["spec"]["predictor"]
    assert last["spec"]["predictor"]["model"] == first["spec"]["predictor"]["model"]
    assert canary["spec"]["predictor"]["canaryTrafficPercent"] == 20  # the input is not changed
    for stage in (first, last):
        assert serving.validate_manifest(stage, serving.crd_schema_path()).ok


def test_promotion_without_a_canary_is_one_stage():
    standard = _manifest()
    assert serving.promotion_stages(standard) == [standard]
