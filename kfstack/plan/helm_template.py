"""A recorded Helm release rendered with the real `helm template`, and every rendered object validated.

The plan records a `kubernetes:helm.sh/v3:Release` as one opaque resource. Here its chart is taken from a
local directory of packaged charts (`<chart>-<version>.tgz` or `<chart>-v<version>.tgz`), rendered with
the release name, namespace and the plan's values for the environment's Kubernetes version, and each
object is checked: built-in kinds against the official schema of that version, custom resources against
the CRDs the chart renders itself (with `--include-crds`) or the CRD schema folder.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import tarfile
import tempfile
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from kubernetes_validate.utils import SchemaNotFoundError

from kfstack.plan.binaries import find_tool
from kfstack.plan.crd_schemas import CrdSchemas, crd_object_schemas, crd_validation
from kfstack.plan.kubernetes_objects import object_label
from kfstack.plan.kubernetes_schema import schema_errors
from kfstack.plan.problems import PlanProblem, json_path
from kfstack.plan.recorder import REDACTED, UNKNOWN_VALUE, RecordedResource

RELEASE_TYPE = "kubernetes:helm.sh/v3:Release"
HELM_TIMEOUT_SECONDS = 300
# Release inputs that change what gets installed and that this renderer does not reproduce.
_UNSUPPORTED_INPUTS = ("postrender", "valueYamlFiles")


class HelmTemplateError(RuntimeError):
    """A release could not be rendered: bad inputs, no chart package, or helm failed."""


class ChartPackageMissing(HelmTemplateError):
    """No packaged chart for the release's chart and version; names the files that were looked for."""

    def __init__(self, message: str, expected: Sequence[Path]) -> None:
        super().__init__(message)
        self.expected = tuple(expected)


class HelmTemplateFailed(HelmTemplateError):
    """`helm template` exited non-zero; carries its stderr."""

    def __init__(self, message: str, stderr: str) -> None:
        super().__init__(message)
        self.stderr = stderr


@dataclass(frozen=True)
class ReleaseSpec:
    """What `helm template` needs from a recorded Release's inputs."""

    release_name: str
    chart: str
    """As recorded: a chart name (with `repository`), `repo/name`, or an `oci://` reference."""
    version: str
    namespace: str
    repository: str | None
    values: dict[str, Any]
    include_crds: bool

    @property
    def chart_name(self) -> str:
        """The chart's own name: the last path segment (`oci://public.ecr.aws/karpenter/karpenter`)."""
        return self.chart.rstrip("/").rsplit("/", 1)[-1]


def release_spec(resource: RecordedResource) -> ReleaseSpec:
    """The render inputs of a recorded Release (raises HelmTemplateError when they cannot be rendered).

    Without `name` Pulumi would auto-name the release; the logical name stands in for it. Without
    `namespace` the release goes to the provider's namespace, assumed `default` here.
    """
    if resource.type != RELEASE_TYPE:
        raise HelmTemplateError(f"{resource.name} is a {resource.type}, not a {RELEASE_TYPE}")
    inputs = resource.inputs
    unsupported = [key for key in _UNSUPPORTED_INPUTS if inputs.get(key)]
    if unsupported:
        raise HelmTemplateError(
            f"release {resource.name} sets {', '.join(unsupported)}, which is not rendered"
        )
    chart, version = inputs.get("chart"), inputs.get("version")
    if not isinstance(chart, str) or not chart:
        raise HelmTemplateError(f"release {resource.name} has no chart")
    if not isinstance(version, str) or not version:
        raise HelmTemplateError(f"release {resource.name} ({chart}) has no pinned version")
    values = inputs.get("values") or {}
    if not isinstance(values, dict):  # e.g. one Output that is unknown at plan time
        raise HelmTemplateError(f"release {resource.name} ({chart}) has values {values!r}, not a mapping")
    return ReleaseSpec(
        release_name=inputs.get("name") or resource.name,
        chart=chart,
        version=version,
        namespace=inputs.get("namespace") or "default",
        repository=(inputs.get("repositoryOpts") or {}).get("repo"),
        values=values,
        include_crds=not inputs.get("skipCrds", False),
    )


def _package_chart_yaml(package: Path) -> dict[str, Any]:
    """The Chart.yaml at the top of a packaged chart."""
    with tarfile.open(package, "r:gz") as tar:
        for member in tar:
            if member.isfile() and re.fullmatch(r"[^/]+/Chart\.yaml", member.name):
                handle = tar.extractfile(member)
                if handle is not None:
                    return yaml.safe_load(handle.read()) or {}
    raise HelmTemplateError(f"{package} has no <chart>/Chart.yaml")


def chart_package(charts_dir: Path, spec: ReleaseSpec) -> Path:
    """The packaged chart for `spec` in `charts_dir`, checked against its Chart.yaml name and version."""
    name, bare = spec.chart_name, spec.version.removeprefix("v")
    expected = [charts_dir / f"{name}-{bare}.tgz", charts_dir / f"{name}-v{bare}.tgz"]
    found = [p for p in expected if p.is_file()]
    if not found:
        available = sorted(p.name for p in charts_dir.glob(f"{name}-*.tgz")) if charts_dir.is_dir() else []
        source = spec.chart if spec.repository is None else f"{spec.chart} from {spec.repository}"
        raise ChartPackageMissing(
            f"no chart package for {source} version {spec.version}: expected "
            f"{' or '.join(p.name for p in expected)} in {charts_dir}"
            + (f" (there is {', '.join(available)})" if available else ""),
            expected,
        )
    package = found[0]
    chart_yaml = _package_chart_yaml(package)
    if chart_yaml.get("name") != name or str(chart_yaml.get("version", "")).removeprefix("v") != bare:
        raise HelmTemplateError(
            f"{package} holds chart {chart_yaml.get('name')} {chart_yaml.get('version')}, "
            f"not {name} {spec.version}"
        )
    return package


@dataclass(frozen=True)
class RenderedObject:
    """One object of a render, with the chart file it came from (helm's `# Source:` comment)."""

    source: str
    manifest: dict[str, Any]

    def label(self) -> str:
        """`Kind/namespace/name` of the object."""
        return object_label(self.manifest)


class _ManifestLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """SafeLoader reading scalars the way Kubernetes' YAML decoder does.

    A bare `=` is a string (PyYAML resolves it to YAML 1.1's `value` tag and then has no constructor for
    it; kube-prometheus-stack's CRDs contain one), and timestamp-like scalars stay strings.
    """


_STRING_TAGS = {"tag:yaml.org,2002:value", "tag:yaml.org,2002:timestamp"}
_ManifestLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag not in _STRING_TAGS]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}

# Document separators as Kubernetes' YAMLReader splits them: `---`, then only spaces or a comment.
_SEPARATOR = re.compile(r"^---\s*(#.*)?$")
_SOURCE = re.compile(r"^# Source: (.+?)\s*$")


def rendered_objects(text: str) -> list[RenderedObject]:
    """helm's multi-document output as objects, in order (`v1` Lists flattened, empty documents dropped)."""
    objects: list[RenderedObject] = []
    source = ""
    chunk: list[str] = []

    def flush() -> None:
        document = yaml.load("".join(chunk), Loader=_ManifestLoader) if chunk else None
        chunk.clear()
        if document is None:
            return
        if not isinstance(document, dict):
            raise HelmTemplateError(
                f"{source or 'helm output'}: a document is not a mapping: {document!r:.80}"
            )
        if document.get("apiVersion") == "v1" and document.get("kind") == "List":
            objects.extend(RenderedObject(source, item) for item in document.get("items") or ())
        else:
            objects.append(RenderedObject(source, document))

    for line in text.splitlines(keepends=True):  # line ends matter: a block scalar keeps its last one
        if _SEPARATOR.match(line):
            flush()
            continue
        match = _SOURCE.match(line)
        if match:
            source = match.group(1)
        chunk.append(line)
    flush()
    return objects


def placeholder_paths(values: Any, path: str = "") -> list[str]:
    """Paths of values the plan does not know (redacted secrets, outputs unknown at plan time)."""
    if isinstance(values, dict):
        return [p for k, v in values.items() for p in placeholder_paths(v, f"{path}.{k}" if path else k)]
    if isinstance(values, list):
        return [p for i, v in enumerate(values) for p in placeholder_paths(v, f"{path}[{i}]")]
    return [path] if values in (REDACTED, UNKNOWN_VALUE) else []


@dataclass(frozen=True)
class RenderedRelease:
    """The objects one release installs, as `helm template` renders them."""

    spec: ReleaseSpec
    package: Path
    kubernetes_version: str
    objects: list[RenderedObject]
    placeholders: list[str] = field(default_factory=list)
    """Value paths rendered with a plan placeholder (`[secret]`, `[unknown]`) instead of the real value."""
    warnings: str = ""
    """helm's stderr of a successful render."""


def _helm_command(
    helm: Path,
    spec: ReleaseSpec,
    package: Path,
    values_file: Path,
    kubernetes_version: str,
    api_versions: Sequence[str],
) -> list[str]:
    command = [
        str(helm), "template", spec.release_name, str(package),
        "--namespace", spec.namespace,
        "--values", str(values_file),
        "--kube-version", kubernetes_version,
    ]  # fmt: skip
    if spec.include_crds:
        command.append("--include-crds")
    for api_version in api_versions:
        command += ["--api-versions", api_version]
    return command


def rendered_release(
    resource: RecordedResource,
    charts_dir: Path,
    kubernetes_version: str,
    helm: Path | None = None,
    api_versions: Sequence[str] = (),
) -> RenderedRelease:
    """Render a recorded Release with `helm template` from the chart package in `charts_dir`.

    `api_versions` are extra `.Capabilities.APIVersions` (a real install sees the cluster's). helm runs
    with its config, cache and data homes in a temporary directory, so user settings do not leak in.
    Raises ChartPackageMissing, HelmTemplateFailed (with helm's stderr) or HelmTemplateError.
    """
    spec = release_spec(resource)
    package = chart_package(charts_dir, spec)
    helm = helm or find_tool("helm")
    placeholders = placeholder_paths(spec.values)
    with tempfile.TemporaryDirectory(prefix="kfstack-helm-") as work:
        values_file = Path(work) / "values.json"  # JSON is YAML: no scalar is re-interpreted on the way
        values_file.write_text(json.dumps(spec.values), encoding="utf-8")
        homes = {f"HELM_{d}_HOME": str(Path(work) / d.lower()) for d in ("CONFIG", "CACHE", "DATA")}
        command = _helm_command(helm, spec, package, values_file, kubernetes_version, api_versions)
        done = subprocess.run(
            command,
            capture_output=True,
            text=True,
            env={**os.environ, **homes},
            timeout=HELM_TIMEOUT_SECONDS,
            check=False,
        )
    if done.returncode != 0:
        note = f" (values with plan placeholders: {', '.join(placeholders)})" if placeholders else ""
        raise HelmTemplateFailed(
            f"helm template of release {spec.release_name} ({package.name}) failed{note}: "
            + done.stderr.strip(),
            done.stderr,
        )
    return RenderedRelease(
        spec, package, kubernetes_version, rendered_objects(done.stdout), placeholders, done.stderr.strip()
    )


@dataclass(frozen=True)
class ReleaseValidation:
    """What is wrong with a render (empty when every object is valid), and what could not be checked."""

    problems: list[PlanProblem]
    unchecked: list[str]


def _identity(manifest: dict[str, Any]) -> tuple[str, str, str, str]:
    meta = manifest.get("metadata") or {}
    group = str(manifest.get("apiVersion", "")).rpartition("/")[0]
    return group, str(manifest.get("kind", "")), str(meta.get("namespace") or ""), str(meta.get("name") or "")


def release_validation(rendered: RenderedRelease, crd_dir: Path | None) -> ReleaseValidation:
    """Check every rendered object: identity, duplicates, the Kubernetes schema of the render's version,
    and CRD schemas (the chart's own rendered CRDs first, then `crd_dir`).

    Without `crd_dir`, custom resources of kinds the chart does not define are listed as unchecked.
    """
    version = rendered.kubernetes_version
    schemas = CrdSchemas(crd_dir, crd_object_schemas(o.manifest for o in rendered.objects))
    problems: list[PlanProblem] = []
    unchecked: list[str] = []
    counts = Counter(_identity(o.manifest) for o in rendered.objects)
    for obj in rendered.objects:
        where = f"{rendered.spec.release_name} {obj.label()} ({obj.source or 'no source'})"
        manifest = obj.manifest
        group, kind, _, name = _identity(manifest)
        if not (isinstance(manifest.get("apiVersion"), str) and kind and name):
            problems.append(PlanProblem(where, "object identity", "needs apiVersion, kind and metadata.name"))
            continue
        if (copies := counts[_identity(manifest)]) > 1:
            problems.append(PlanProblem(where, "duplicate object", f"rendered {copies} times"))
        try:
            problems += [
                PlanProblem(where, f"Kubernetes {version} schema", e.message, json_path(e.absolute_path))
                for e in schema_errors(manifest, version)
            ]
            continue
        except SchemaNotFoundError:
            pass  # not a built-in kind of this Kubernetes version
        api_version = manifest["apiVersion"].rpartition("/")[2]
        found = schemas.find(group, api_version, kind)
        if found is None:
            if crd_dir is None and group:
                unchecked.append(f"{where}: no CRD folder given, {manifest['apiVersion']} {kind} not checked")
            else:
                problems.append(
                    PlanProblem(
                        where,
                        "schema",
                        f"{manifest['apiVersion']} {kind} is neither a Kubernetes {version} kind nor in "
                        f"a CRD schema ({schemas.describe()})",
                    )
                )
            continue
        result = crd_validation(manifest, found.schema)
        problems += [
            PlanProblem(where, f"CRD {group}/{api_version} {kind}", e.message, json_path(e.absolute_path))
            for e in result.errors
        ]
        unchecked += [f"{where}: pattern {p}" for p in result.unchecked_patterns]
    return ReleaseValidation(problems, unchecked)
