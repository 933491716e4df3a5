"""`diff_plans`: added, deleted, updated and replaced resources with changed input paths."""

import json
import shutil
from pathlib import Path

import pytest

from kfstack.plan.build import build_plan
from kfstack.plan.diff import diff_plans, flatten, load_plan_file
from kfstack.plan.render_diff import render_markdown
from stacks.config.loader import ENVIRONMENTS_DIR


def _resource(name, type_="kubernetes:core/v1:ConfigMap", **inputs):
    return {
        "urn": f"urn:{type_}::{name}",
        "type": type_,
        "name": name,
        "inputs": inputs,
        "protect": False,
    }


def test_flatten_paths() -> None:
    assert flatten({"a": {"b": [1, {"c": 2}]}, "d": {}}) == {"a.b[0]": 1, "a.b[1].c": 2, "d": {}}


def test_identical_plans_have_no_changes() -> None:
    plan = {"resources": [_resource("a", data={"k": "v"})]}
    assert diff_plans(plan, plan) == []


def test_add_delete_update_replace_are_classified() -> None:
    old = {
        "resources": [
            _resource("keep", data={"k": "1"}),
            _resource("gone"),
            _resource("move", metadata={"name": "a"}),
        ]
    }
    new = {
        "resources": [
            _resource("keep", data={"k": "2"}),
            _resource("new"),
            _resource("move", metadata={"name": "b"}),
        ]
    }
    changes = {c.name: c for c in diff_plans(old, new)}
    assert {n: c.kind for n, c in changes.items()} == {
        "keep": "update",
        "gone": "delete",
        "new": "add",
        "move": "replace",
    }
    (field,) = changes["keep"].fields
    assert (field.path, field.old, field.new) == ("inputs.data.k", "1", "2")


def test_protect_change_is_an_update() -> None:
    old = {"resources": [_resource("a")]}
    new = {"resources": [{**_resource("a"), "protect": True}]}
    (change,) = diff_plans(old, new)
    assert change.kind == "update" and change.fields[0].path == "options.protect"


def _plan_after_edit(tmp_path: Path, environment: str, old: str, new: str, count: int = 1) -> dict:
    environments = tmp_path / "environments"
    shutil.copytree(ENVIRONMENTS_DIR, environments)
    path = environments / f"Pulumi.{environment}.yaml"
    text = path.read_text()
    assert text.count(old) == count, f"edit target {old!r} must occur {count} time(s)"
    path.write_text(text.replace(old, new))
    return json.loads(build_plan(environment, directory=environments).json_text())


def test_environment_change_shows_exactly_that_change(tmp_path: Path) -> None:
    before = json.loads(build_plan("dev").json_text())
    after = _plan_after_edit(tmp_path, "dev", "maxSize: 2\n", "maxSize: 6\n")
    (change,) = diff_plans(before, after)
    assert (change.kind, change.type) == ("update", "aws:eks/nodeGroup:NodeGroup")
    assert [(f.path, f.old, f.new) for f in change.fields] == [("inputs.scalingConfig.maxSize", 2, 6)]


def test_a_cron_change_replaces_that_recurring_run_alone(tmp_path: Path) -> None:
    before = json.loads(build_plan("dev").json_text())
    after = _plan_after_edit(tmp_path, "dev", 'cron: "0 0 3 * * 1"', 'cron: "0 30 4 * * 1"')
    (change,) = diff_plans(before, after)
    assert (change.kind, change.type, change.name) == (
        "replace",
        "pulumi-python:dynamic/kfp:RecurringRun",
        "schedule-nightly-retrain",
    )
    assert [(f.path, f.old, f.new) for f in change.fields] == [("inputs.cron", "0 0 3 * * 1", "0 30 4 * * 1")]


def test_pausing_a_schedule_is_an_update_not_a_replacement(tmp_path: Path) -> None:
    before = json.loads(build_plan("dev").json_text())
    after = _plan_after_edit(
        tmp_path,
        "dev",
        "maxConcurrency: 1\n        enabled: true",
        "maxConcurrency: 1\n        enabled: false",
    )
    (change,) = diff_plans(before, after)
    assert (change.kind, change.name) == ("update", "schedule-nightly-retrain")


def test_a_step_code_change_is_a_new_version_and_re_points_the_schedule(tmp_path: Path, monkeypatch) -> None:
    import stacks.components.kfp_resources as kfp_resources

    steps = tmp_path / "steps"
    shutil.copytree(kfp_resources.STEPS_DIR, steps, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(kfp_resources, "STEPS_DIR", steps)
    before = json.loads(build_plan("dev").json_text())
    with (steps / "model.py").open("a") as handle:
        handle.write("\n# a change to the code the runtime image runs\n")
    after = _plan_after_edit(tmp_path, "dev", "maxConcurrency: 1", "maxConcurrency: 1")
    changes = {(c.kind, c.name): c for c in diff_plans(before, after)}
    assert set(changes) == {
        ("replace", "pipeline-retrain-version"),
        ("replace", "pipeline-train-and-deploy-version"),
        ("replace", "schedule-nightly-retrain"),
    }
    version = changes[("replace", "pipeline-retrain-version")]
    name_change = next(f for f in version.fields if f.path == "inputs.name")
    assert name_change.old.startswith("retrain-") and name_change.new.startswith("retrain-")
    assert name_change.old != name_change.new
    schedule = changes[("replace", "schedule-nightly-retrain")]
    assert [f.path for f in schedule.fields] == ["inputs.pipeline_version_id"]


def test_renaming_the_pipelines_profile_moves_its_volumes_and_kfp_objects(tmp_path: Path) -> None:
    before = json.loads(build_plan("local").json_text())
    # the namespace is a profile: both the profile and pipelines.namespace are renamed
    after = _plan_after_edit(tmp_path, "local", "kubeflow-user", "team-a", count=2)
    changes = {(c.kind, c.name) for c in diff_plans(before, after)}
    moved = {
        "pvc-data",
        "pvc-models",
        "pipeline-retrain",
        "pipeline-retrain-version",
        "pipeline-train-and-deploy",
        "pipeline-train-and-deploy-version",
        "experiment-reference",
        # the serving namespace follows pipelines.namespace: the model-server account and deploy Role
        "kserve-model-server",
        "kserve-deployer",
    }
    # the profile (and the automation account in it) is another profile: the old one goes, the new one
    # comes; what lives in the namespace moves (replaced), the components waiting for it are updated
    profile_parts = (
        "{}",
        "profile-{}",
        "{}-kfp-access",
        "{}-kfp-access-kfstack-pipelines",
        "{}-kfp-access-kfstack-pipelines-pipelines-edit",
    )
    assert changes == {
        *(("delete", part.format("kubeflow-user")) for part in profile_parts),
        *(("add", part.format("team-a")) for part in profile_parts),
        ("update", "volumes"),
        ("update", "kfp"),
        *(("replace", name) for name in moved),
    }


def test_markdown_lists_changes_in_a_table() -> None:
    old = {"resources": [_resource("a", data={"k": "1"})]}
    new = {"resources": [_resource("a", data={"k": "2|3"})]}
    text = render_markdown(diff_plans(old, new))
    assert "**1 to update**" in text
    assert "| `~` | `a` | `kubernetes:core/v1:ConfigMap` | `inputs.data.k` | 1 → 2\\|3 |" in text


def test_bad_plan_file_is_reported_with_its_location(tmp_path: Path) -> None:
    bad = tmp_path / "plan.json"
    bad.write_text('{"resources": [\n')
    with pytest.raises(ValueError, match=r"plan.json:2: not valid JSON"):
        load_plan_file(bad)
    with pytest.raises(ValueError, match="file not found"):
        load_plan_file(tmp_path / "missing.json")
