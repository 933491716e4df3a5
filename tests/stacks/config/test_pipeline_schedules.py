"""`kfstack:pipelines`: registration, the KFP connection and schedules, each bad value with its key path."""

import pytest

from stacks.config.secrets import SecretRef

EXPERIMENTS = {"retrain": {}}
KFP = {"endpoint": "http://localhost:8080/pipeline"}


def pipelines(**fields):
    return {"kfp": KFP, "registered": ["retrain"], "experiments": EXPERIMENTS, **fields}


def schedule(**fields):
    return pipelines(schedules={"nightly": {"pipeline": "retrain", "experiment": "retrain", **fields}})


def test_a_valid_schedule_passes(problems) -> None:
    assert problems(pipelines=schedule(cron="0 0 3 * * *", parameters={"window_days": 7})) == {}


def test_five_field_cron_is_rejected_with_its_path(problems) -> None:
    found = problems(pipelines=schedule(cron="0 3 * * *"))
    assert "6 fields" in found["kfstack:pipelines.schedules.nightly.cron"]


def test_exactly_one_of_cron_or_interval(problems) -> None:
    both = problems(pipelines=schedule(cron="0 0 3 * * *", intervalSeconds=3600))
    neither = problems(pipelines=schedule())
    assert both["kfstack:pipelines.schedules.nightly.cron"] == "set exactly one of cron or intervalSeconds"
    assert neither["kfstack:pipelines.schedules.nightly.cron"] == "set exactly one of cron or intervalSeconds"
    assert problems(pipelines=schedule(intervalSeconds=3600)) == {}


@pytest.mark.parametrize("value", [0, 11])
def test_max_concurrency_is_one_to_ten(problems, value: int) -> None:
    found = problems(pipelines=schedule(cron="0 0 3 * * *", maxConcurrency=value))
    assert "kfstack:pipelines.schedules.nightly.maxConcurrency" in found


def test_schedule_must_reference_a_defined_experiment(problems) -> None:
    found = problems(
        pipelines=pipelines(
            experiments={},
            schedules={"n": {"pipeline": "retrain", "experiment": "nope", "cron": "0 0 3 * * *"}},
        )
    )
    assert found == {
        "kfstack:pipelines.schedules.n.experiment": "unknown experiment; defined under pipelines.experiments: none defined"
    }


def test_schedule_must_name_a_shipped_pipeline(problems) -> None:
    found = problems(
        pipelines=pipelines(
            schedules={"n": {"pipeline": "retrian", "experiment": "retrain", "cron": "0 0 3 * * *"}}
        )
    )
    assert found == {
        "kfstack:pipelines.schedules.n.pipeline": "unknown pipeline; known: train-and-deploy, retrain"
    }


def test_schedule_must_name_a_registered_pipeline(problems) -> None:
    found = problems(
        pipelines=pipelines(
            registered=[],
            schedules={"n": {"pipeline": "retrain", "experiment": "retrain", "cron": "0 0 3 * * *"}},
        )
    )
    assert found == {
        "kfstack:pipelines.schedules.n.pipeline": "not registered: add it to pipelines.registered"
    }


def test_registered_pipelines_must_exist_and_be_listed_once(problems) -> None:
    found = problems(pipelines=pipelines(registered=["retrain", "retrain", "trian-and-deploy"]))
    assert found == {
        "kfstack:pipelines.registered[1]": "registered twice",
        "kfstack:pipelines.registered[2]": "unknown pipeline; known: train-and-deploy, retrain",
    }


def test_schedule_parameter_the_pipeline_does_not_declare(problems) -> None:
    found = problems(pipelines=schedule(cron="0 0 3 * * *", parameters={"windowdays": 7}))
    message = found["kfstack:pipelines.schedules.nightly.parameters.windowdays"]
    assert message.startswith("retrain has no parameter 'windowdays'; it has: dataset_uri, window_days,")


@pytest.mark.parametrize(
    ("key", "value", "expected"),
    [
        ("window_days", "7", "an int"),
        ("window_days", True, "an int"),
        ("test_size", "0.2", "a float"),
        ("dry_run", 1, "a bool"),
        ("model_name", 3, "a str"),
    ],
)
def test_schedule_parameter_of_the_wrong_type(problems, key: str, value, expected: str) -> None:
    found = problems(pipelines=schedule(cron="0 0 3 * * *", parameters={key: value}))
    declared = expected.split()[1]
    assert found == {
        f"kfstack:pipelines.schedules.nightly.parameters.{key}": f"must be {expected} (retrain declares {key}: {declared})"
    }


def test_an_int_is_a_valid_float_parameter(problems) -> None:
    assert problems(pipelines=schedule(cron="0 0 3 * * *", parameters={"test_size": 1})) == {}


def test_registering_needs_the_endpoint_kfstack_reaches_kfp_at(problems) -> None:
    found = problems(pipelines={"registered": ["retrain"]})
    assert list(found) == ["kfstack:pipelines.kfp.endpoint"]
    assert "kfstack registers them from where `pulumi up` runs" in found["kfstack:pipelines.kfp.endpoint"]
    assert problems(pipelines={}) == {}


def test_endpoint_must_be_an_http_url(problems) -> None:
    found = problems(pipelines=pipelines(kfp={"endpoint": "localhost:8080/pipeline"}))
    assert found == {"kfstack:pipelines.kfp.endpoint": "must be an http:// or https:// URL"}


@pytest.mark.parametrize(
    ("auth", "path", "message"),
    [
        ({"mode": "oidcToken"}, "token", "required with mode oidcToken"),
        (
            {"mode": "dexPassword", "password": SecretRef("v1:x")},
            "username",
            "required with mode dexPassword",
        ),
        ({"mode": "dexPassword", "username": "a@example.com"}, "password", "required with mode dexPassword"),
        (
            {"mode": "none", "token": SecretRef("v1:x")},
            "token",
            "only used with mode oidcToken (mode is none)",
        ),
    ],
)
def test_auth_mode_settings(problems, auth: dict, path: str, message: str) -> None:
    found = problems(pipelines=pipelines(kfp={**KFP, "auth": auth}))
    assert found == {f"kfstack:pipelines.kfp.auth.{path}": message}


def test_a_plain_text_token_is_rejected(problems) -> None:
    found = problems(pipelines=pipelines(kfp={**KFP, "auth": {"mode": "oidcToken", "token": "eyJhbGciOi"}}))
    assert "plain-text value where a secret is required" in found["kfstack:pipelines.kfp.auth.token"]


DIGEST = "sha256:" + "0123456789abcdef" * 4


@pytest.mark.parametrize(
    "image",
    [
        f"ghcr.io/kfstack/pipelines-runtime:0.2.0@{DIGEST}",
        f"ghcr.io/kfstack/pipelines-runtime@{DIGEST}",
        f"registry.example.com:5000/ml/runtime:v1@{DIGEST}",
    ],
)
def test_a_digest_pinned_runtime_image_is_accepted(problems, image: str) -> None:
    assert problems(pipelines={"image": image}) == {}


@pytest.mark.parametrize(
    ("image", "message"),
    [
        ("ghcr.io/kfstack/pipelines-runtime:0.2.0",
         "must be pinned by digest: repo:tag@sha256:<64 hex> or repo@sha256:<64 hex> (the digest "
         "runtime-image.yml prints)"),
        (f"ghcr.io/kfstack/pipelines-runtime@{DIGEST[:-1]}",
         "the digest must be sha256: followed by 64 lowercase hex characters"),
        (f"ghcr.io/kfstack/pipelines-runtime@{DIGEST.upper().replace('SHA256', 'sha256')}",
         "the digest must be sha256: followed by 64 lowercase hex characters"),
        ("ghcr.io/kfstack/pipelines-runtime@sha512:" + "ab" * 64,
         "the digest must be sha256: followed by 64 lowercase hex characters"),
        (f"GHCR.io/Kfstack/Runtime@{DIGEST}",
         "not an image reference (expected repo:tag@sha256:<64 hex> or repo@sha256:<64 hex>)"),
        (f"ghcr.io/kfstack/runtime:bad tag@{DIGEST}",
         "not an image reference (expected repo:tag@sha256:<64 hex> or repo@sha256:<64 hex>)"),
    ],
)
def test_a_runtime_image_not_pinned_by_a_sha256_digest_is_rejected_naming_the_key(
    problems, image: str, message: str
) -> None:
    assert problems(pipelines={"image": image}) == {"kfstack:pipelines.image": message}
