"""`kfstack validate`: valid environments pass; each kind of bad input exits 2 naming key and line."""

import re
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kfstack.commands.validate import validate_command
from stacks.config.loader import ENVIRONMENTS_DIR

ENVIRONMENTS = ("local", "dev", "staging", "prod")

BASE = """\
config:
  kfstack:tier: local
  kfstack:cluster:
    kind: existing
    kubernetesVersion: "1.33"
    existing:
      context: kind-kfstack
{extra}"""


def run(target: str):
    return CliRunner().invoke(validate_command, [target])


def write(tmp_path: Path, text: str) -> str:
    path = tmp_path / "Pulumi.test.yaml"
    path.write_text(text)
    return str(path)


@pytest.mark.parametrize("environment", ENVIRONMENTS)
def test_shipped_environments_are_valid(environment: str) -> None:
    result = run(environment)
    assert result.exit_code == 0, result.output
    assert result.output.startswith(f"✓ {environment}: valid")
    assert len(result.output.strip().splitlines()) == 1


def test_minimal_file_is_valid(tmp_path: Path) -> None:
    result = run(write(tmp_path, BASE.format(extra="")))
    assert result.exit_code == 0, result.output


def test_unknown_key_suggests_the_closest_one(tmp_path: Path) -> None:
    text = BASE.format(extra="").replace("kubernetesVersion", "kubernetesVerison")
    result = run(write(tmp_path, text))
    assert result.exit_code == 2
    assert (
        "kfstack:cluster.kubernetesVerison: unknown key 'kubernetesVerison'; did you mean 'kubernetesVersion'?"
        in result.output
    )
    assert ":5: kfstack:cluster.kubernetesVerison" in result.output  # file line of the key
    assert "Traceback" not in result.output


def test_unknown_top_level_key_is_rejected(tmp_path: Path) -> None:
    result = run(write(tmp_path, BASE.format(extra="  kfstack:nodepools: {}\n")))
    assert result.exit_code == 2
    assert "kfstack:nodepools: unknown key 'nodepools'; did you mean 'nodePools'?" in result.output


def test_wrong_type_names_value_and_expectation(tmp_path: Path) -> None:
    extra = "  kfstack:nodePools:\n    cpu:\n      instanceTypes: [m6i.large]\n      maxSize: lots\n"
    result = run(write(tmp_path, BASE.format(extra=extra)))
    assert result.exit_code == 2
    assert "kfstack:nodePools.cpu.maxSize: Input should be a valid integer" in result.output
    assert "(got 'lots')" in result.output
    assert ".yaml:11:" in result.output


def test_missing_required_value(tmp_path: Path) -> None:
    text = BASE.format(extra="").replace("      context: kind-kfstack\n", "      kubeconfig: /tmp/kc\n")
    result = run(write(tmp_path, text))
    assert result.exit_code == 2
    assert "kfstack:cluster.existing.context: required value is missing" in result.output


def test_missing_section_required_by_kind(tmp_path: Path) -> None:
    text = BASE.format(extra="").replace("kind: existing", "kind: eks")
    result = run(write(tmp_path, text))
    assert result.exit_code == 2
    assert "kfstack:cluster.eks: required when cluster.kind is 'eks'" in result.output


def test_yaml_syntax_error_reports_file_and_line(tmp_path: Path) -> None:
    text = BASE.format(extra="  kfstack:storage:\n    volumes: [unclosed\n")
    path = write(tmp_path, text)
    result = run(path)
    assert result.exit_code == 2
    assert f"{path}:" in result.output and "YAML syntax error" in result.output
    line = int(result.output.split(f"{path}:")[1].split(":")[0])
    assert line >= 9
    assert "Traceback" not in result.output


def test_unknown_environment_lists_known_ones() -> None:
    result = run("qa")
    assert result.exit_code == 2
    assert "unknown environment 'qa'; known environments: dev, local, prod, staging" in result.output


def test_plain_text_where_a_secret_is_required(tmp_path: Path) -> None:
    extra = "  kfstack:auth:\n    oauth2Proxy:\n      cookieSecret: hunter2hunter2\n"
    result = run(write(tmp_path, BASE.format(extra=extra)))
    assert result.exit_code == 2
    assert (
        "kfstack:auth.oauth2Proxy.cookieSecret: plain-text value where a secret is required" in result.output
    )
    assert "hunter2" not in result.output  # the key path and line locate it; the value is never echoed
    assert "--path 'kfstack:auth.oauth2Proxy.cookieSecret'" in result.output
    assert ".yaml:10: kfstack:auth.oauth2Proxy.cookieSecret" in result.output


@pytest.mark.parametrize(
    "value",
    [
        "hunter2hunter2",
        "[hunter2hunter2]",
        "{password: hunter2hunter2}",
        "{secure: [hunter2hunter2]}",
        "42424242",
    ],
)
def test_no_shape_of_plain_text_secret_is_echoed(tmp_path: Path, value: str) -> None:
    extra = f"  kfstack:auth:\n    oauth2Proxy:\n      cookieSecret: {value}\n"
    result = run(write(tmp_path, BASE.format(extra=extra)))
    assert result.exit_code == 2
    assert (
        "kfstack:auth.oauth2Proxy.cookieSecret: plain-text value where a secret is required" in result.output
    )
    assert "hunter2" not in result.output and "42424242" not in result.output


def test_secret_values_are_never_printed(tmp_path: Path) -> None:
    extra = (
        "  kfstack:auth:\n    oauth2Proxy:\n      cookieSecret:\n        secure: v1:c2VjcmV0\n"
        "  kfstack:nodePools:\n    cpu:\n      instanceTypes: [m6i.large]\n      minSize: 3\n      maxSize: 2\n"
    )
    result = run(write(tmp_path, BASE.format(extra=extra)))
    assert result.exit_code == 2
    assert "c2VjcmV0" not in result.output


def test_every_schema_problem_is_listed_not_just_the_first(tmp_path: Path) -> None:
    text = BASE.format(extra="  kfstack:colour: blue\n").replace("tier: local", "tier: qa")
    result = run(write(tmp_path, text))
    assert result.exit_code == 2
    assert "2 problems" in result.output
    assert "kfstack:tier:" in result.output and "'local', 'dev', 'staging' or 'prod'" in result.output
    assert "kfstack:colour: unknown key" in result.output


def test_every_rule_problem_is_listed(tmp_path: Path) -> None:
    extra = "  kfstack:storage:\n    volumes:\n      data:\n        size: 5GB\n        mountPath: data\n"
    result = run(write(tmp_path, BASE.format(extra=extra).replace('"1.33"', '"1.20"')))
    assert result.exit_code == 2
    assert "3 problems" in result.output
    assert (
        "kfstack:cluster.kubernetesVersion: unsupported Kubernetes version; supported: 1.33, 1.34, 1.35 (got '1.20')"
        in result.output
    )
    assert "kfstack:storage.volumes.data.size:" in result.output
    assert "kfstack:storage.volumes.data.mountPath: must be an absolute path" in result.output


PROFILES = """\
  kfstack:profiles:
    - name: team-a
      owner: lead@example.com
{second}"""


def test_profile_without_an_owner_is_rejected_with_its_key_and_line(tmp_path: Path) -> None:
    extra = PROFILES.format(second="    - name: team-b\n      contributors: [ana@example.com]\n")
    result = run(write(tmp_path, BASE.format(extra=extra)))
    assert result.exit_code == 2
    assert "kfstack:profiles[1].owner: required value is missing" in result.output
    assert ".yaml:11:" in result.output  # the `- name: team-b` item


def test_owner_that_is_not_an_email_is_rejected(tmp_path: Path) -> None:
    extra = PROFILES.format(second="    - name: team-b\n      owner: team-b-lead\n")
    result = run(write(tmp_path, BASE.format(extra=extra)))
    assert result.exit_code == 2
    assert "kfstack:profiles[1].owner:" in result.output and "'team-b-lead'" in result.output
    assert ".yaml:12:" in result.output


def test_contributor_that_is_not_an_email_is_rejected(tmp_path: Path) -> None:
    extra = PROFILES.format(
        second="    - name: team-b\n      owner: b@example.com\n      contributors: [ana]\n"
    )
    result = run(write(tmp_path, BASE.format(extra=extra)))
    assert result.exit_code == 2
    assert "kfstack:profiles[1].contributors[0]:" in result.output and "'ana'" in result.output


def test_duplicate_profile_names_are_rejected(tmp_path: Path) -> None:
    extra = PROFILES.format(second="    - name: team-a\n      owner: other@example.com\n")
    result = run(write(tmp_path, BASE.format(extra=extra)))
    assert result.exit_code == 2
    assert "kfstack:profiles[1].name: duplicate profile; profiles[0] has it (got 'team-a')" in result.output
    assert ".yaml:11:" in result.output


def test_pipelines_namespace_that_is_not_a_profile_is_rejected(tmp_path: Path) -> None:
    extra = PROFILES.format(second="") + (
        "  kfstack:pipelines:\n    namespace: team-b\n"
        "    kfp: {endpoint: 'http://localhost:8080/pipeline'}\n    registered: [retrain]\n"
    )
    result = run(write(tmp_path, BASE.format(extra=extra)))
    assert result.exit_code == 2
    assert (
        "kfstack:pipelines.namespace: multi-user Kubeflow Pipelines runs pipelines in profile namespaces"
        in (result.output)
    )
    assert "declare a profile named 'team-b' under profiles (declared: team-a)" in result.output
    assert ".yaml:12:" in result.output


def test_private_only_endpoint_without_a_way_in_fails_with_its_key_path(tmp_path: Path) -> None:
    text = (ENVIRONMENTS_DIR / "Pulumi.prod.yaml").read_text()
    text = text.replace("endpointPublicAccess: true", "endpointPublicAccess: false")
    result = run(write(tmp_path, text))
    assert result.exit_code == 2, result.output
    assert "kfstack:cluster.eks.endpointPublicAccess" in result.output
    assert "Traceback" not in result.output

SCHEDULE = """\
  kfstack:profiles:
    - name: kubeflow-user
      owner: lead@example.com
  kfstack:pipelines:
    kfp: {{endpoint: 'http://localhost:8080/pipeline'}}
    registered: [retrain]
    experiments: {{nightly: {{}}}}
    schedules:
      retrain:
        pipeline: retrain
        experiment: nightly
        cron: '{cron}'
  kfstack:storage:
    volumes: {{models: {{size: 10Gi, mountPath: /mnt/models}}}}
"""


@pytest.mark.parametrize(
    ("cron", "exit_code"), [("0 0 3 * * MON-FRI", 0), ("0 0 ٣ * * *", 2), ("@every 1h", 0), ("0 3 * * *", 2)]
)
def test_schedule_cron_is_checked_as_kfp_reads_it(tmp_path: Path, cron: str, exit_code: int) -> None:
    result = run(write(tmp_path, BASE.format(extra=SCHEDULE.format(cron=cron))))
    assert "Traceback" not in result.output
    assert result.exit_code == exit_code, result.output
    if exit_code:
        assert ".yaml:19: kfstack:pipelines.schedules.retrain.cron:" in result.output


def test_names_kubernetes_would_reject_fail_validate_with_key_and_line(tmp_path: Path) -> None:
    extra = (
        "  kfstack:pipelines:\n    namespace: Kubeflow_User\n"
        "  kfstack:storage:\n    volumes:\n      Models_Vol:\n        size: 10Gi\n        mountPath: /mnt/models\n"
    )
    result = run(write(tmp_path, BASE.format(extra=extra)))
    assert result.exit_code == 2
    assert ".yaml:9: kfstack:pipelines.namespace: a namespace name: not a DNS-1123 label" in result.output
    assert "(got 'Kubeflow_User')" in result.output
    assert ".yaml:12: kfstack:storage.volumes.Models_Vol: the volume's name is its PVC's" in result.output


# --- property: whatever is done to a shipped file, validate ends with 0 or 2 and says where ---

ODD_TEXT = st.sampled_from(
    [
        "\t",
        "\x00",
        "\x1b[31m",
        "é",
        "٣",
        "\u200b",
        "\ufeff",
        "'",
        '"',
        ": ",
        "- ",
        "{",
        "&a",
        "*a",
        "!!python/object:os.system",
        "%",
        "@",
        "\r",
    ]
)
ODD_VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**70), 2**70),
    st.floats(allow_nan=True),
    st.text(max_size=30),
    st.lists(st.integers(), max_size=3),
    st.dictionaries(st.text(max_size=5), st.integers(), max_size=2),
)
LOCATED = re.compile(r"\.yaml(:\d+)?: \S+: |\.yaml:\d+: ")


def _key_slots(node: object, out: list[tuple[dict, object]]) -> list[tuple[dict, object]]:
    if isinstance(node, dict):
        for key, value in node.items():
            out.append((node, key))
            _key_slots(value, out)
    elif isinstance(node, list):
        for item in node:
            _key_slots(item, out)
    return out


@st.composite
def mutated_files(draw: st.DrawFn) -> bytes:
    environment = draw(st.sampled_from(ENVIRONMENTS))
    text = (ENVIRONMENTS_DIR / f"Pulumi.{environment}.yaml").read_text(encoding="utf-8")
    kind = draw(st.sampled_from(["delete", "rename", "retype", "duplicate", "encode", "inject"]))
    if kind in ("delete", "rename", "retype"):
        document = yaml.safe_load(text)
        slots = _key_slots(document["config"], [])
        mapping, key = draw(st.sampled_from(slots))
        if kind == "delete":
            del mapping[key]
        elif kind == "rename":
            mapping[f"{key}{draw(st.text(min_size=1, max_size=2))}"] = mapping.pop(key)
        else:
            mapping[key] = draw(ODD_VALUES)
        return yaml.safe_dump(document, allow_unicode=True).encode("utf-8")
    lines = text.splitlines(keepends=True)
    index = draw(st.integers(0, len(lines) - 1))
    if kind == "duplicate":
        lines.insert(index, lines[index])
        return "".join(lines).encode("utf-8")
    if kind == "encode":
        encoding = draw(st.sampled_from(["utf-16", "utf-16-le", "utf-32", "latin-1", "cp1252", "utf-8-sig"]))
        return ("# José\n" + text).encode(encoding)
    position = draw(st.integers(0, len(lines[index])))
    lines[index] = lines[index][:position] + draw(ODD_TEXT) + lines[index][position:]
    return "".join(lines).encode("utf-8")


# derandomize: CI runs the same 200 mutations every time, so a red run is reproducible (explore more
# locally with a higher max_examples; 1,500 were clean when this was written)
@settings(
    max_examples=200,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(data=mutated_files())
def test_validate_never_raises_and_locates_every_problem(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "Pulumi.mutated.yaml"
    path.write_bytes(data)
    result = CliRunner().invoke(validate_command, [str(path)])
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in result.output
    assert result.exit_code in (0, 2), result.output
    if result.exit_code == 2:
        problems = [line for line in result.output.splitlines() if line.startswith("  - ")]
        assert problems, result.output
        for line in problems:
            assert LOCATED.search(line), line


def test_line_100_prints_as_a_number_not_an_emoji(tmp_path: Path) -> None:
    filler = "".join(f"  # comment {i}\n" for i in range(92))
    result = run(write(tmp_path, BASE.format(extra=filler + "  kfstack:colour: blue\n")))
    assert result.exit_code == 2
    assert ".yaml:100: kfstack:colour: unknown key" in result.output
