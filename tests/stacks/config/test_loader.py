"""Reading stack files as they come: encodings, BOM, CRLF, duplicate keys, tabs, empty files,
directories, namespace typos; and one report with every problem whatever phase finds it."""

from __future__ import annotations

from pathlib import Path

import pytest

from stacks.config.errors import ConfigError
from stacks.config.loader import load_environment

VALID = """\
config:
  kfstack:tier: local
  kfstack:cluster:
    kind: existing
    kubernetesVersion: "1.33"
    existing:
      context: kind-kfstack
  # owner: José Müller
"""


def write_bytes(tmp_path: Path, data: bytes) -> str:
    path = tmp_path / "Pulumi.test.yaml"
    path.write_bytes(data)
    return str(path)


def rendered(target: str) -> list[str]:
    """Each problem as the CLI prints it; fails the test if the file loads."""
    with pytest.raises(ConfigError) as caught:
        load_environment(target)
    return [p.render(caught.value.file) for p in caught.value.problems]


def test_utf8_file_loads(tmp_path: Path) -> None:
    _, config = load_environment(write_bytes(tmp_path, VALID.encode("utf-8")))
    assert config.tier == "local"


def test_utf8_bom_is_accepted(tmp_path: Path) -> None:
    _, config = load_environment(write_bytes(tmp_path, b"\xef\xbb\xbf" + VALID.encode("utf-8")))
    assert config.tier == "local"


def test_crlf_line_endings_load_and_keep_line_numbers(tmp_path: Path) -> None:
    _, config = load_environment(write_bytes(tmp_path, VALID.replace("\n", "\r\n").encode()))
    assert config.cluster.existing is not None
    path = write_bytes(tmp_path, VALID.replace("kind: existing", "kind: nope").replace("\n", "\r\n").encode())
    [problem] = rendered(path)
    assert problem.startswith(f"{path}:4: kfstack:cluster.kind:")


def test_latin1_file_is_rejected_with_its_line(tmp_path: Path) -> None:
    path = write_bytes(tmp_path, VALID.encode("latin-1"))
    [problem] = rendered(path)
    assert problem.startswith(f"{path}:8: not valid UTF-8 (byte 0xe9)")
    assert "save it as UTF-8" in problem


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-be", "utf-32"])
def test_utf16_and_utf32_files_are_rejected(tmp_path: Path, encoding: str) -> None:
    path = write_bytes(tmp_path, VALID.encode(encoding))
    [problem] = rendered(path)
    assert problem.startswith(f"{path}:1: ")
    assert "save it as UTF-8" in problem


def test_binary_file_is_rejected(tmp_path: Path) -> None:
    path = write_bytes(tmp_path, b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    [problem] = rendered(path)
    assert problem.startswith(f"{path}:3: binary data")  # \r\n, then \n


def test_duplicate_key_names_both_lines_and_its_path(tmp_path: Path) -> None:
    text = VALID.replace("    kind: existing\n", "    kind: existing\n    kind: eks\n")
    path = write_bytes(tmp_path, text.encode())
    problems = rendered(path)
    assert any(
        p.startswith(f"{path}:5: kfstack:cluster.kind: duplicate key 'kind' on lines 4 and 5")
        for p in problems
    )


def test_duplicate_top_level_key_is_reported(tmp_path: Path) -> None:
    path = write_bytes(tmp_path, (VALID + "  kfstack:tier: dev\n").encode())
    problems = rendered(path)
    assert any("kfstack:tier: duplicate key 'kfstack:tier' on lines 2 and 9" in p for p in problems)


def test_tab_indentation_says_spaces(tmp_path: Path) -> None:
    path = write_bytes(tmp_path, VALID.replace("    kind: existing", "\tkind: existing").encode())
    [problem] = rendered(path)
    assert problem.startswith(f"{path}:4: YAML syntax error")
    assert "YAML indents with spaces, not tabs" in problem


def test_empty_file(tmp_path: Path) -> None:
    path = write_bytes(tmp_path, b"")
    assert rendered(path) == [f"{path}: the file is empty; a stack file needs a top-level `config:` mapping"]


def test_comment_only_file_is_empty(tmp_path: Path) -> None:
    path = write_bytes(tmp_path, b"# nothing yet\n")
    assert "the file is empty" in rendered(path)[0]


def test_directory_is_not_file_not_found(tmp_path: Path) -> None:
    directory = tmp_path / "Pulumi.dir.yaml"
    directory.mkdir()
    assert rendered(str(directory)) == [f"is a directory, not a stack file: {directory}"]
    assert rendered(str(tmp_path)) == [f"is a directory, not a stack file: {tmp_path}"]


def test_missing_file(tmp_path: Path) -> None:
    assert rendered(str(tmp_path / "nope.yaml")) == [f"file not found: {tmp_path / 'nope.yaml'}"]


def test_namespace_typo_suggests_the_kfstack_key(tmp_path: Path) -> None:
    path = write_bytes(tmp_path, VALID.replace("kfstack:tier", "kfstak:tier").encode())
    problems = rendered(path)
    assert (
        f"{path}:2: kfstak:tier: unknown config namespace 'kfstak'; did you mean 'kfstack:tier'?" in problems
    )


def test_other_providers_namespaces_are_left_alone(tmp_path: Path) -> None:
    text = VALID + "  aws:region: eu-west-1\n  kubernetes:context: kind\n"
    _, config = load_environment(write_bytes(tmp_path, text.encode()))
    assert config.tier == "local"


def test_one_pass_reports_typos_types_and_rules_together(tmp_path: Path) -> None:
    text = VALID + (
        "  kfstack:storage:\n"
        "    volumes:\n"
        "      data:\n"
        "        size: 5GB\n"
        "        mountPath: data\n"
        "        acessModes: [ReadWriteOnce]\n"
        "  kfstack:pipelines:\n"
        "    kfp: {endpoint: 'http://localhost:8080/pipeline'}\n"
        "    registered: [retrain]\n"
        "    experiments: {nightly: {}}\n"
        "    schedules:\n"
        "      retrain:\n"
        "        pipeline: retrain\n"
        "        experiment: nightly\n"
        "        cron: '0 0 3 * *'\n"
        "  kfstack:nodePools:\n"
        "    cpu:\n"
        "      instanceTypes: [m6i.large]\n"
        "      maxSize: lots\n"
    )
    path = write_bytes(tmp_path, text.encode())
    problems = "\n".join(rendered(path))
    assert "kfstack:storage.volumes.data.acessModes: unknown key" in problems
    assert "kfstack:nodePools.cpu.maxSize: Input should be a valid integer" in problems
    assert "kfstack:storage.volumes.data.size:" in problems
    assert "kfstack:storage.volumes.data.mountPath: must be an absolute path" in problems
    assert "kfstack:pipelines.schedules.retrain.cron: KFP cron has 6 fields" in problems


def test_one_pass_includes_file_problems_with_schema_problems(tmp_path: Path) -> None:
    text = VALID.replace("kubernetesVersion", "kubernetesVerison") + "  kfstak:colour: blue\n"
    text = text.replace("    kind: existing\n", "    kind: existing\n    kind: existing\n")
    path = write_bytes(tmp_path, text.encode())
    problems = "\n".join(rendered(path))
    assert "duplicate key 'kind'" in problems
    assert "did you mean 'kubernetesVersion'?" in problems
    assert "did you mean 'kfstack:colour'?" in problems


def test_namespace_typo_is_not_also_reported_missing_and_its_value_is_checked(tmp_path: Path) -> None:
    text = VALID.replace("kfstack:tier: local", "kfstak:tier: qa")
    path = write_bytes(tmp_path, text.encode())
    problems = rendered(path)
    assert not any("required value is missing" in p for p in problems)
    assert any(p.startswith(f"{path}:2: kfstack:tier: Input should be") for p in problems)
    assert any("did you mean 'kfstack:tier'?" in p for p in problems)


def test_control_character_is_named_with_its_line(tmp_path: Path) -> None:
    path = write_bytes(tmp_path, VALID.replace("kind: existing", "kind: \x1bexisting").encode())
    [problem] = rendered(path)
    assert problem.startswith(f"{path}:4: character U+001B is not allowed in YAML")
