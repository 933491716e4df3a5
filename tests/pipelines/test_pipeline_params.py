import pytest

from pipelines.catalog import get_pipeline
from pipelines.params import ParameterError, parse_assignments, resolve_parameters


@pytest.fixture(scope="module")
def defaults():
    return get_pipeline("train-and-deploy").default_parameters


def test_assignments_split_on_the_first_equals_sign():
    assert parse_assignments(["a=1", "b=x=y", "c="]) == {"a": "1", "b": "x=y", "c": ""}


def test_assignment_without_equals_is_rejected():
    with pytest.raises(ParameterError, match="KEY=VALUE"):
        parse_assignments(["max_iter"])


def test_overrides_are_coerced_to_the_default_types(defaults):
    values = resolve_parameters(defaults, {"max_iter": "5", "alpha": "0.5", "dry_run": "yes",
                                           "hidden_layers": "2"})
    assert values["max_iter"] == 5
    assert values["alpha"] == 0.5
    assert values["dry_run"] is True
    assert values["hidden_layers"] == "2"


def test_unknown_parameter_lists_known_ones(defaults):
    with pytest.raises(ParameterError, match=r"unknown parameter.*epochs.*known: dataset_uri"):
        resolve_parameters(defaults, {"epochs": "3"})


def test_every_problem_is_reported_at_once(defaults, tmp_path):
    with pytest.raises(ParameterError) as error:
        resolve_parameters(defaults, {"metric": "auc", "min_endpoint_accuracy": "1.5",
                                      "dataset_uri": str(tmp_path / "missing.csv")})
    message = str(error.value)
    assert "metric='auc': unknown metric; evaluate produces accuracy, f1_macro" in message
    assert "min_endpoint_accuracy=1.5: threshold must be between 0 and 1" in message
    assert "dataset file not found" in message


@pytest.mark.parametrize(("name", "value", "fragment"), [
    ("direction", "up", "maximize, minimize"),
    ("max_iter", "0", "must be >= 1"),
    ("max_iter", "ten", "expected int"),
    ("test_size", "1", "strictly between 0 and 1"),
    ("hidden_layers", "256,x", "comma-separated positive integers"),
    ("protocol", "grpc", "v1 or v2"),
    ("dataset_uri", "sklearn://mnist", "unknown bundled dataset"),
    ("dataset_uri", "s3://bucket/data.csv", "unsupported dataset URI scheme"),
    ("min_endpoint_accuracy", "-0.1", "between 0 and 1"),
])
def test_bad_values_are_rejected_with_the_reason(defaults, name, value, fragment):
    with pytest.raises(ParameterError, match=fragment):
        resolve_parameters(defaults, {name: value})


def test_local_runs_own_registry_deploy_mode_and_endpoint(defaults):
    with pytest.raises(ParameterError, match="registry_uri are set by local runs"):
        resolve_parameters(defaults, {"registry_uri": "http://x"}, local=True)


def test_relative_dataset_path_becomes_absolute(defaults, tmp_path, monkeypatch):
    (tmp_path / "d.csv").write_text("a,target\n1,0\n")
    monkeypatch.chdir(tmp_path)
    values = resolve_parameters(defaults, {"dataset_uri": "d.csv"})
    assert values["dataset_uri"] == str(tmp_path / "d.csv")


@pytest.mark.parametrize("overrides, message", [
    ({"quality_floor": "-0.1"}, "quality_floor=-0.1: must be >= 0"),
    ({"challenger_alias": "champion"}, "challenger_alias='champion': must differ from alias"),
    ({"rollout_timeout_seconds": "0"}, "rollout_timeout_seconds=0: must be >= 1"),
])
def test_gate_parameters_are_checked_up_front(defaults, overrides, message):
    with pytest.raises(ParameterError, match=message):
        resolve_parameters(defaults, overrides)


def test_quality_floor_default_is_on_the_compared_metric(defaults):
    assert defaults["quality_floor"] == 0.9 and defaults["metric"] == "accuracy"
