"""Every file in .github/workflows validates against the GitHub workflow schema check-jsonschema
vendors (offline), and the kfstack workflows name only environments that exist."""

from __future__ import annotations

from pathlib import Path

import pytest
from check_jsonschema.cli.main_command import main as check_jsonschema
from click.testing import CliRunner
from ruamel.yaml import YAML

from stacks.config.loader import known_environments

WORKFLOWS = Path(__file__).resolve().parents[2] / ".github" / "workflows"
WORKFLOW_FILES = sorted([*WORKFLOWS.glob("*.yml"), *WORKFLOWS.glob("*.yaml")])


def validate(*files: Path) -> tuple[int, str]:
    result = CliRunner().invoke(
        check_jsonschema, ["--builtin-schema", "vendor.github-workflows", *map(str, files)]
    )
    return result.exit_code, result.output


def test_the_kfstack_workflows_are_there() -> None:
    names = {f.name for f in WORKFLOW_FILES}
    assert {"test.yml", "plan-diff.yml", "preview.yml", "drift.yml"} <= names


@pytest.mark.parametrize("workflow", WORKFLOW_FILES, ids=lambda p: p.name)
def test_workflow_validates_against_the_github_workflow_schema(workflow: Path) -> None:
    code, output = validate(workflow)
    assert code == 0, output


def test_the_schema_check_rejects_a_broken_workflow(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yml"
    broken.write_text("on: push\njobs:\n  x:\n    steps:\n      - run: echo hi\n", encoding="utf-8")
    code, output = validate(broken)
    assert code == 1
    assert "$.jobs.x: 'runs-on' is a required property" in output


@pytest.mark.parametrize("name", ["plan-diff.yml", "preview.yml", "drift.yml"])
def test_workflow_matrix_names_known_environments(name: str) -> None:
    workflow = YAML(typ="safe").load((WORKFLOWS / name).read_text(encoding="utf-8"))
    job = next(iter(workflow["jobs"].values()))
    environments = job["strategy"]["matrix"]["environment"]
    assert environments and set(environments) <= set(known_environments())
