import pytest

from pipelines.steps import data, model, registry


@pytest.fixture(scope="module")
def setup(tmp_path_factory):
    root = tmp_path_factory.mktemp("registry")
    data.save_splits(data.load_table("sklearn://digits"), str(root / "ds"), 0.2, 0)
    splits = data.load_splits(str(root / "ds"))
    good = model.train_model(splits["x_train"], splits["y_train"], (64,), 100, 0.001, 1e-4, 0)
    model.save_model(good, str(root / "good"))
    return {"uri": f"sqlite:///{root / 'mlflow.db'}", "splits": splits, "root": root,
            "scores": model.evaluate_model(good, splits["x_test"], splits["y_test"])}


def _compare(setup, candidate, metric="accuracy", direction="maximize"):
    s = setup["splits"]
    return registry.compare_with_champion(setup["uri"], "digits", "champion", metric,
                                          direction, candidate, s["x_test"], s["y_test"])


def test_registry_flow_promotes_first_then_only_better(setup):
    assert registry.find_champion(setup["uri"], "digits", "champion") is None
    first = _compare(setup, setup["scores"])
    assert first.promote and first.champion_value is None

    champion = registry.register_and_promote(setup["uri"], "exp", "digits", "champion",
                                             str(setup["root"] / "good"), setup["scores"],
                                             {"hidden_layers": "64"})
    assert champion.version == "1"
    assert champion.serving_uri.endswith("/serving")
    assert str(setup["root"]) in champion.serving_uri  # artifacts beside the sqlite db
    assert registry.find_champion(setup["uri"], "digits", "champion") == champion

    worse = _compare(setup, {**setup["scores"], "accuracy": 0.5})
    assert not worse.promote
    assert worse.champion_version == "1"
    assert worse.champion_value == pytest.approx(setup["scores"]["accuracy"])

    lower_loss = _compare(setup, {**setup["scores"], "log_loss": 0.0}, "log_loss", "minimize")
    assert lower_loss.promote


def test_unknown_metric_is_rejected(setup):
    with pytest.raises(ValueError, match="unknown metric 'auc'"):
        _compare(setup, setup["scores"], metric="auc")
