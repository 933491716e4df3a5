import pytest

from pipelines.steps import data, model


@pytest.fixture(scope="module")
def splits(tmp_path_factory):
    path = tmp_path_factory.mktemp("d") / "ds"
    data.save_splits(data.load_table("sklearn://digits"), str(path), str(path) + ".golden", 0.2, 100)
    return data.load_splits(str(path))


def test_hidden_layers_parse():
    assert model.parse_hidden_layers("256, 64") == (256, 64)
    with pytest.raises(ValueError, match="positive"):
        model.parse_hidden_layers("0")


def test_default_mlp_is_accurate_on_digits(splits, tmp_path):
    fitted = model.train_model(splits["x_train"], splits["y_train"], (256, 64), 200, 0.001,
                               1e-4, 0)
    model.save_model(fitted, str(tmp_path / "m"))
    scores = model.evaluate_model(model.load_model(str(tmp_path / "m")), splits["x_test"],
                                  splits["y_test"])
    assert set(scores) == set(model.METRIC_DIRECTIONS)
    assert scores["accuracy"] >= 0.95
    assert scores["log_loss"] < 0.2


def test_tiny_mlp_after_one_iteration_is_weak(splits):
    fitted = model.train_model(splits["x_train"], splits["y_train"], (2,), 1, 0.001, 1e-4, 0)
    assert model.evaluate_model(fitted, splits["x_test"], splits["y_test"])["accuracy"] < 0.5


@pytest.mark.parametrize(("candidate", "champion", "direction", "better"), [
    (0.9, 0.8, "maximize", True), (0.8, 0.8, "maximize", False),
    (0.1, 0.2, "minimize", True), (0.3, 0.2, "minimize", False),
])
def test_is_better_respects_direction_and_keeps_ties(candidate, champion, direction, better):
    assert model.is_better(candidate, champion, direction) is better
