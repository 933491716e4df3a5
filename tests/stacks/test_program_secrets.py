"""No secret reaches plain text: known secret values fed through the config (as the engine would
decrypt them) appear nowhere in the plan JSON, the manifests, the Helm values or the rendered charts."""

from __future__ import annotations

import copy
import dataclasses
import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from kfstack.plan.binaries import ToolNotFound, find_tool
from kfstack.plan.build import plan_config, write_manifests
from kfstack.plan.helm_template import RELEASE_TYPE, rendered_release
from stacks.config.loader import ENVIRONMENTS_DIR, parse_environment, read_stack_file
from stacks.config.secrets import SecretRef

ENVIRONMENTS = ("local", "dev", "staging", "prod")
CHARTS_DIR = Path(__file__).resolve().parents[2].parent / "shared" / "charts"
MARKER = "KNOWN-SECRET-VALUE"


def _with_known_secrets(value: Any, found: list[str]) -> Any:
    """Every `secure:` value replaced by a decrypted one with a recognisable plaintext."""
    if isinstance(value, SecretRef):
        plaintext = f"{MARKER}-{len(found):02d}-x7Qp"
        found.append(plaintext)
        return dataclasses.replace(value, plaintext=plaintext)
    if isinstance(value, dict):
        return {k: _with_known_secrets(v, found) for k, v in value.items()}
    if isinstance(value, list):
        return [_with_known_secrets(v, found) for v in value]
    return value


def _secret_fed_plan(environment: str) -> tuple[Any, list[str]]:
    raw = copy.deepcopy(read_stack_file(ENVIRONMENTS_DIR / f"Pulumi.{environment}.yaml").values)
    secrets: list[str] = []
    values = _with_known_secrets(raw, secrets)
    if environment != "local":
        assert secrets, f"{environment} declares no secret: the test would prove nothing"
    plan = plan_config(environment, parse_environment(values))
    assert [p.render() for p in plan.problems] == []
    return plan, secrets


def _assert_absent(text: str, secrets: list[str], where: str) -> None:
    assert MARKER not in text, f"a secret value appears in plain text in {where}"
    for secret in secrets:
        assert secret not in text, f"{secret} appears in {where}"


@pytest.mark.parametrize("environment", ENVIRONMENTS)
def test_no_secret_in_the_plan_json_or_the_manifests(environment: str, tmp_path: Path) -> None:
    plan, secrets = _secret_fed_plan(environment)
    _assert_absent(plan.json_text(), secrets, "the plan JSON")
    for path in write_manifests(plan, tmp_path):
        _assert_absent(path.read_text(encoding="utf-8"), secrets, path.name)


@pytest.mark.parametrize("environment", ENVIRONMENTS)
def test_no_secret_in_any_helm_release_or_what_its_chart_renders(environment: str) -> None:
    if not CHARTS_DIR.is_dir():
        pytest.skip(f"packaged charts not found at {CHARTS_DIR}")
    try:
        helm = find_tool("helm")
    except ToolNotFound as missing:
        pytest.skip(str(missing))
    plan, secrets = _secret_fed_plan(environment)
    releases = plan.find(RELEASE_TYPE)
    for release in releases:
        _assert_absent(json.dumps(release.inputs), secrets, f"the inputs of {release.name}")
        # a secret in Helm values would end up in plain text in the release Secret Helm keeps in the
        # cluster; the plan redacts it, so a redacted path in the values is the leak to look for
        assert [path for path in release.secret_paths if path.startswith("values")] == [], release.name
        rendered = rendered_release(release, CHARTS_DIR, plan.config.cluster.kubernetes_version, helm)
        _assert_absent(yaml.safe_dump_all([o.manifest for o in rendered.objects]), secrets, release.name)


def test_the_marker_would_be_found_if_a_secret_leaked() -> None:
    """The scan itself: a plaintext value in a plain input is caught."""
    secrets = [f"{MARKER}-00-x7Qp"]
    with pytest.raises(AssertionError, match="plain text"):
        _assert_absent(json.dumps({"values": {"password": secrets[0]}}), secrets, "a leaky input")
