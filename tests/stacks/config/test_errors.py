from stacks.config.environment import EnvironmentConfig
from stacks.config.errors import ConfigProblem, allowed_keys, format_path


def test_format_path_uses_dots_and_indexes() -> None:
    assert format_path(("nodePools", "gpu", "taints", 0, "key")) == "nodePools.gpu.taints[0].key"


def test_allowed_keys_follow_aliases_through_dicts_and_lists() -> None:
    assert "instanceTypes" in allowed_keys(EnvironmentConfig, ("nodePools", "gpu"))
    assert allowed_keys(EnvironmentConfig, ("nodePools", "gpu", "taints", 0)) == [
        "effect",
        "key",
        "value",
    ]
    assert allowed_keys(EnvironmentConfig, ("nope",)) == []


def test_problem_renders_file_line_path_and_value() -> None:
    problem = ConfigProblem("kfstack:tier", "bad tier", "'qa'", line=3)
    assert problem.render("env.yaml") == "env.yaml:3: kfstack:tier: bad tier (got 'qa')"
    assert ConfigProblem("", "unknown environment").render() == "unknown environment"


def test_plain_text_secret_problem_names_the_key_path_and_never_the_value() -> None:
    from pydantic import ValidationError

    from stacks.config.errors import problems_from_validation

    values = {
        "tier": "local",
        "cluster": {"kind": "existing", "kubernetesVersion": "1.33", "existing": {"context": "kind"}},
        "auth": {"oauth2Proxy": {"clientSecret": "s3cr3t-value"}},
    }
    try:
        EnvironmentConfig.model_validate(values)
    except ValidationError as exc:
        [problem] = problems_from_validation(EnvironmentConfig, exc)
    assert problem.path == "auth.oauth2Proxy.clientSecret"
    assert problem.value is None
    assert "--path 'kfstack:auth.oauth2Proxy.clientSecret'" in problem.message
    assert "s3cr3t" not in problem.render("env.yaml")


def test_short_value_never_shows_what_is_nested_in_a_mapping_or_list() -> None:
    from stacks.config.errors import short_value

    assert short_value({"cookieSecret": "hunter2"}) == "a mapping with keys cookieSecret"
    assert short_value([{"cookieSecret": "hunter2"}]) == "a list of 1 item"
    assert short_value([["hunter2"], "x"]) == "a list of 2 items"
    assert short_value(["m6i.large", "m6i.xlarge"]) == "['m6i.large', 'm6i.xlarge']"


def test_kubernetes_name_patterns_are_said_in_words(problems) -> None:
    found = problems(profiles=[{"name": "Team_A", "owner": "a@example.com"}])
    assert found["kfstack:profiles[0].name"].startswith(
        "not a DNS-1123 label: lowercase letters, digits and '-'"
    )
