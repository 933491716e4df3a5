import json

import numpy as np
import pytest

from pipelines.steps import data, model, model_store, registry


class _Memorizer:
    """Predicts the label of every row it trained on; elsewhere defers to a weak model."""

    def __init__(self, x, y, fallback):
        self.seen = {row.tobytes(): label for row, label in zip(x, y, strict=True)}
        self.fallback = fallback
        self.classes_ = fallback.classes_

    def predict(self, x):
        guess = self.fallback.predict(x)
        return np.array([self.seen.get(row.tobytes(), g) for row, g in zip(x, guess, strict=True)])

    def predict_proba(self, x):
        proba = self.fallback.predict_proba(x)
        for index, row in enumerate(x):
            if row.tobytes() in self.seen:
                proba[index] = (self.classes_ == self.seen[row.tobytes()]).astype(float)
        return proba


@pytest.fixture(scope="module")
def setup(tmp_path_factory):
    root = tmp_path_factory.mktemp("registry")
    table = data.load_table("sklearn://digits")
    sizes = data.ingest_table(table, str(root / "ds"), str(root / "golden"), 0.3, 50)
    splits = data.load_splits(str(root / "ds"))
    good = model.train_model(splits["x_train"], splits["y_train"], (64,), 100, 0.001, 1e-4, 0)
    model.save_model(good, str(root / "good"))
    (root / "models").mkdir()
    return {"uri": f"sqlite:///{root / 'mlflow.db'}", "splits": splits, "root": root,
            "table": table, "sizes": {**sizes, "uri": "sklearn://digits"}, "good": good,
            "scores": model.evaluate_model(good, splits["x_test"], splits["y_test"])}


def _register(setup, name, path, sizes=None, alias="challenger"):
    return registry.register_challenger(
        setup["uri"], "exp", name, alias, str(path), setup["scores"],
        {"hidden_layers": "64", "max_iter": 100, "alpha": 1e-4},
        sizes or setup["sizes"], setup["splits"], "pvc://models", str(setup["root"] / "models"),
        "0123456789abcdef0123456789abcdef01234567")


def _compare(setup, name, candidate_model, scores, floor=0.5, metric="accuracy",
             direction="maximize"):
    return registry.compare_with_champion(
        setup["uri"], name, "champion", metric, direction, floor, candidate_model, scores,
        setup["splits"], str(setup["root"] / "models"))


def test_below_the_floor_is_never_promoted_even_without_a_champion(setup):
    result = _compare(setup, "digits", setup["good"], {"accuracy": 0.4}, floor=0.9)
    assert result.below_floor and not result.promote
    assert "misses the quality floor 0.9" in result.reason


def test_log_loss_floor_is_an_upper_bound(setup):
    assert registry.meets_floor(0.2, 0.5, "minimize")
    assert not registry.meets_floor(0.7, 0.5, "minimize")


def test_challenger_then_promotion_moves_only_the_champion_alias(setup):
    assert registry.find_version(setup["uri"], "digits", "champion") is None
    first = _compare(setup, "digits", setup["good"], setup["scores"])
    assert first.promote and first.champion_value is None

    challenger = _register(setup, "digits", setup["root"] / "good")
    assert challenger.version == "1"
    assert challenger.storage_uri == f"pvc://models/digits/{challenger.run_id}"
    written = setup["root"] / "models" / "digits" / challenger.run_id / "model.joblib"
    assert written.is_file()
    assert registry.find_version(setup["uri"], "digits", "champion") is None  # not yet
    assert registry.promote(setup["uri"], "digits", "1", "champion", "challenger") is None
    champion = registry.find_version(setup["uri"], "digits", "champion")
    assert champion == challenger
    assert registry.find_version(setup["uri"], "digits", "challenger") is None

    tie = _compare(setup, "digits", setup["good"], setup["scores"])
    assert not tie.promote and tie.champion_version == "1"
    assert tie.compared_rows == len(setup["splits"]["y_test"])


def test_version_records_dataset_code_version_and_typed_params(setup):
    challenger = _register(setup, "lineage", setup["root"] / "good")
    client = registry.client(setup["uri"])
    version = client.get_model_version("lineage", challenger.version)
    assert version.source == challenger.storage_uri
    assert version.tags["kfstack.dataset_version"] == data.dataset_version(setup["table"])
    assert version.tags["kfstack.code_version"] == "0123456789abcdef0123456789abcdef01234567"
    assert json.loads(version.tags["kfstack.params"])["max_iter"] == {"value": 100, "type": "int"}
    run = client.get_run(challenger.run_id)
    assert len(run.inputs.dataset_inputs) == 2
    assert run.data.tags["mlflow.source.git.commit"] == version.tags["kfstack.code_version"]


def test_champion_never_wins_on_evaluation_rows_it_trained_on(setup):
    """Crafted split: the champion trained on most of the candidate's evaluation rows.

    It memorized them (perfect there, weak elsewhere). Scored on all evaluation rows it would
    beat the candidate; scored on rows neither trained on, the candidate wins.
    """
    s = setup["splits"]
    weak = model.train_model(s["x_train"], s["y_train"], (2,), 5, 0.001, 1e-4, 0)
    seen = s["bucket_test"] >= 0.05  # the champion "trained" on buckets [0.05, 0.3)
    champion = _Memorizer(s["x_test"][seen], s["y_test"][seen], weak)
    model.save_model(champion, str(setup["root"] / "memorizer"))
    sizes = {**setup["sizes"], "train_bucket_low": 0.05, "train_bucket_high": 1.0}
    _register(setup, "crafted", setup["root"] / "memorizer", sizes)
    registry.promote(setup["uri"], "crafted", "1", "champion", "challenger")

    candidate = model.train_model(s["x_train"], s["y_train"], (8,), 30, 0.001, 1e-4, 0)
    scores = model.evaluate_model(candidate, s["x_test"], s["y_test"])
    unfair = model.evaluate_model(champion, s["x_test"], s["y_test"])["accuracy"]
    assert unfair > scores["accuracy"], "the crafted champion must win an unfair comparison"

    result = _compare(setup, "crafted", candidate, scores)
    assert result.compared_rows == int((~seen).sum()) > 0
    assert result.promote, result.reason
    assert result.champion_value < result.candidate_on_shared_rows


def test_no_unseen_evaluation_row_keeps_the_champion(setup):
    sizes = {**setup["sizes"], "train_bucket_low": 0.0, "train_bucket_high": 1.0}
    _register(setup, "overlap", setup["root"] / "good", sizes)
    registry.promote(setup["uri"], "overlap", "1", "champion", "challenger")
    result = _compare(setup, "overlap", setup["good"], setup["scores"])
    assert not result.promote and "cannot compare fairly" in result.reason


def test_unknown_metric_is_rejected(setup):
    with pytest.raises(ValueError, match="unknown metric 'auc'"):
        _compare(setup, "digits", setup["good"], setup["scores"], metric="auc")


def test_read_model_loads_the_version_through_the_mount(setup):
    challenger = registry.find_version(setup["uri"], "digits", "champion")
    loaded = model_store.read_model(challenger.storage_uri, str(setup["root"] / "models"))
    assert loaded.predict(setup["splits"]["x_test"][:5]).tolist() == \
        setup["good"].predict(setup["splits"]["x_test"][:5]).tolist()


def test_registry_artifacts_store_gives_the_s3_uri_kserve_loads(setup, monkeypatch):
    """On EKS the stack's MLflow keeps artifacts at s3://<bucket>/mlflow (not proxied): the version's
    model goes beside the run's artifacts there, and that s3:// URI is what is registered and read."""
    import boto3
    import mlflow
    from moto import mock_aws

    for key, value in (("AWS_ACCESS_KEY_ID", "testing"), ("AWS_SECRET_ACCESS_KEY", "testing"),
                       ("AWS_DEFAULT_REGION", "us-east-1")):
        monkeypatch.setenv(key, value)
    with mock_aws():
        boto3.client("s3").create_bucket(Bucket="kfstack-artifacts-test")
        mlflow.MlflowClient(setup["uri"]).create_experiment(
            "s3-exp", artifact_location="s3://kfstack-artifacts-test/mlflow/s3-exp")
        version = registry.register_challenger(
            setup["uri"], "s3-exp", "digits-s3", "challenger", str(setup["root"] / "good"),
            setup["scores"], {"max_iter": 100}, setup["sizes"], setup["splits"],
            model_store.REGISTRY_ARTIFACTS, None, "0" * 40)
        assert version.storage_uri.startswith("s3://kfstack-artifacts-test/mlflow/s3-exp/")
        assert version.storage_uri.endswith("/artifacts/model")
        assert model_store.storage_uri_problem(version.storage_uri) is None
        key = version.storage_uri.removeprefix("s3://kfstack-artifacts-test/") + "/" + model_store.MODEL_FILE
        assert boto3.client("s3").head_object(Bucket="kfstack-artifacts-test", Key=key)["ContentLength"] > 0
        loaded = model_store.read_model(version.storage_uri, None)
        x = setup["splits"]["x_test"][:20]
        assert (loaded.predict(x) == setup["good"].predict(x)).all()


def test_registry_artifacts_store_refuses_artifacts_kserve_cannot_load():
    with pytest.raises(ValueError, match="KServe cannot load a model from"):
        model_store.version_uri(model_store.REGISTRY_ARTIFACTS, "digits", "r1", "mlflow-artifacts:/1/r1/artifacts")
    assert model_store.version_uri(model_store.REGISTRY_ARTIFACTS, "digits", "r1",
                                   "s3://b-1/mlflow/1/r1/artifacts/") == "s3://b-1/mlflow/1/r1/artifacts/model"
