"""`kfstack plan` and `kfstack diff` through click, as a user runs them."""

import json
from pathlib import Path

from click.testing import CliRunner

from kfstack.commands.diff import diff_command
from kfstack.commands.plan import plan_command


def test_plan_local_prints_summary_and_writes_json_and_manifests(tmp_path: Path) -> None:
    out = tmp_path / "plan.json"
    result = CliRunner().invoke(plan_command, ["local", "--json", str(out), "--manifests", str(tmp_path / "m")])
    assert result.exit_code == 0, result.output
    assert "kfstack plan: local" in result.output
    assert "kubernetes:core/v1:Namespace" in result.output
    assert "checks passed" in result.output
    assert json.loads(out.read_text())["environment"] == "local"
    assert any((tmp_path / "m").glob("Namespace.*.yaml"))


def test_plan_names_enabled_components_it_does_not_install_before_the_verdict() -> None:
    result = CliRunner().invoke(plan_command, ["local", "--quiet"])  # local has no GPU pool
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    warnings = [
        i
        for i, line in enumerate(lines)
        if line.startswith("warning: components.") and "is enabled but not installed" in line
    ]
    verdict = next(i for i, line in enumerate(lines) if "checks passed" in line)
    assert warnings and warnings[0] < verdict


def test_plan_bad_environment_exits_2() -> None:
    result = CliRunner().invoke(plan_command, ["nowhere"])
    assert result.exit_code == 2
    assert "unknown environment 'nowhere'" in result.output


def _plan_file(tmp_path: Path, name: str, resources: list[dict]) -> str:
    path = tmp_path / name
    path.write_text(json.dumps({"environment": "x", "resources": resources}))
    return str(path)


def test_diff_exit_code_and_markdown(tmp_path: Path) -> None:
    resource = {"urn": "u1", "type": "kubernetes:core/v1:ConfigMap", "name": "cm", "inputs": {"data": {"k": "1"}}}
    old = _plan_file(tmp_path, "old.json", [resource])
    new = _plan_file(tmp_path, "new.json", [{**resource, "inputs": {"data": {"k": "2"}}}])
    runner = CliRunner()
    assert runner.invoke(diff_command, [old, old, "--exit-code"]).exit_code == 0
    changed = runner.invoke(diff_command, [old, new, "--exit-code"])
    assert changed.exit_code == 1
    assert "inputs.data.k" in changed.output and "1 → 2" in changed.output
    markdown = runner.invoke(diff_command, [old, new, "--format", "markdown"])
    assert markdown.exit_code == 0
    assert markdown.output.startswith("### kfstack plan diff")


def test_diff_of_a_non_plan_file_exits_2(tmp_path: Path) -> None:
    bad = tmp_path / "x.json"
    bad.write_text("[]")
    result = CliRunner().invoke(diff_command, [str(bad), str(bad)])
    assert result.exit_code == 2
    assert "not a kfstack plan" in result.output


CHARTS = Path(__file__).resolve().parents[3].parent / "shared" / "charts"


def test_plan_without_charts_says_how_to_see_the_releases_images(tmp_path: Path) -> None:
    out = tmp_path / "plan.json"
    result = CliRunner().invoke(plan_command, ["local", "--json", str(out)])
    assert result.exit_code == 0, result.output
    assert "Images" in result.output and "registry.k8s.io/kubectl" in result.output
    assert "Helm releases' images show with --charts-dir DIR" in result.output
    document = json.loads(out.read_text())
    assert document["helmReleasesRendered"] is False
    assert any(i["image"].startswith("registry.k8s.io/kubectl:") for i in document["images"])


def test_plan_with_charts_lists_the_rendered_releases_images(tmp_path: Path) -> None:
    import pytest

    if not CHARTS.is_dir():
        pytest.skip(f"no packaged charts at {CHARTS}")
    out = tmp_path / "plan.json"
    result = CliRunner().invoke(plan_command, ["local", "--charts-dir", str(CHARTS), "--json", str(out)])
    assert result.exit_code == 0, result.output
    assert "rendered Helm releases" in result.output
    assert "--charts-dir DIR" not in result.output
    images = {(i["image"], i["source"]) for i in json.loads(out.read_text())["images"]}
    assert ("docker.io/istio/pilot:1.29.0", "rendered") in images
    assert ("docker.io/istio/proxyv2:1.29.0", "rendered") in images
