"""`kfstack:pipelines`: the pipelines registered in KFP, their experiments and recurring (retrain)
runs, managed as resources, and how kfstack reaches and authenticates to the KFP API."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Literal

from pydantic import Field

from modules.images import digest_pinned
from modules.kfp.cron import cron_problem
from stacks.config.base import ConfigModel
from stacks.config.kubernetes_names import dns_label_problem
from stacks.config.rules import Violation, violation
from stacks.config.secrets import Secret

KfpAuthMode = Literal["serviceAccountToken", "oidcToken", "none", "dexPassword"]
ParameterValue = str | int | float | bool


class ExperimentConfig(ConfigModel):
    """A KFP experiment that groups runs."""

    description: str = ""


class ScheduleConfig(ConfigModel):
    """A recurring run of a registered pipeline. KFP has no update RPC: changes replace it."""

    pipeline: str = Field(description="Pipeline name from `kfstack pipelines list`.")
    experiment: str = Field(description="Experiment key under pipelines.experiments.")
    cron: str | None = Field(None, description="6-field cron, seconds first, e.g. '0 0 3 * * *'.")
    interval_seconds: int | None = Field(None, ge=60, description="Alternative to cron.")
    max_concurrency: int = Field(1, ge=1, le=10, description="Parallel runs allowed (KFP: 1..10).")
    enabled: bool = Field(True, description="Paused when false (KFP disable; the schedule is kept).")
    no_catchup: bool = Field(True, description="Skip runs missed while paused.")
    service_account: str | None = Field(
        None, description="Service account the runs use (KFP default: default-editor of the profile)."
    )
    parameters: dict[str, ParameterValue] = Field(
        default_factory=dict, description="Pipeline parameters; the rest keep their defaults."
    )

    def rule_problems(self) -> Iterator[Violation]:
        if (self.cron is None) == (self.interval_seconds is None):
            yield violation("cron", "set exactly one of cron or intervalSeconds")
        if self.cron is not None and (why := cron_problem(self.cron)):
            yield violation("cron", why, self.cron)


class KfpAuthConfig(ConfigModel):
    """How kfstack authenticates to the KFP API (`pipelines.kfp.auth`)."""

    mode: KfpAuthMode = Field(
        "serviceAccountToken",
        description="serviceAccountToken (recommended: short-lived tokens of `serviceAccount`), oidcToken "
        "(an existing bearer token), none (standalone KFP or a port-forward to ml-pipeline), dexPassword "
        "(fallback: Dex's password login).",
    )
    service_account: str = Field(
        "kfstack-pipelines",
        description="serviceAccountToken: the account in pipelines.namespace whose tokens kfstack uses; "
        "the stack creates it and binds it to kubeflow-pipelines-edit in that namespace.",
    )
    token: Secret | None = Field(None, description="oidcToken: the bearer token, as a Pulumi secret.")
    username: str | None = Field(None, description="dexPassword: the Dex user (email).")
    password: Secret | None = Field(None, description="dexPassword: the password, as a Pulumi secret.")

    def rule_problems(self) -> Iterator[Violation]:
        needs = {"oidcToken": ("token",), "dexPassword": ("username", "password")}
        for mode, keys in needs.items():
            for key in keys:
                if self.mode == mode and getattr(self, key) is None:
                    yield violation(key, f"required with mode {mode}")
                if self.mode != mode and getattr(self, key) is not None:
                    yield violation(key, f"only used with mode {mode} (mode is {self.mode})")


class KfpConfig(ConfigModel):
    """Where the KFP API is (`pipelines.kfp`)."""

    endpoint: str | None = Field(
        None,
        description="KFP API base URL as the kfp SDK takes it: http://localhost:8080/pipeline (a "
        "port-forward of the Istio ingress gateway) or https://<gateway host>/pipeline.",
    )
    auth: KfpAuthConfig = Field(default_factory=KfpAuthConfig, description="How kfstack authenticates.")
    verify_tls: bool = Field(True, description="Verify the endpoint's TLS certificate.")

    def rule_problems(self) -> Iterator[Violation]:
        if self.endpoint is not None and not self.endpoint.startswith(("http://", "https://")):
            yield violation("endpoint", "must be an http:// or https:// URL", self.endpoint)


class PipelinesConfig(ConfigModel):
    """Pipelines, experiments and schedules registered in this environment's KFP."""

    namespace: str = Field("kubeflow-user", description="Profile namespace that owns the runs.")
    gpu_pool: str | None = Field(None, description="Node pool whose toleration/selector GPU steps use.")
    image: str | None = Field(
        None,
        description="The runtime image every step of the registered pipelines runs, pinned by digest "
        "(repo:tag@sha256:<64 hex> or repo@sha256:<64 hex>, as .github/workflows/runtime-image.yml "
        "prints it); unset: ghcr.io/kfstack/pipelines-runtime:<kfstack version> by tag. Pulled through "
        "kfstack:images.registry when that is set.",
    )
    kfp: KfpConfig = Field(default_factory=KfpConfig, description="The KFP API kfstack registers with.")
    registered: list[str] = Field(
        default_factory=list,
        description="Pipelines from `kfstack pipelines list` to register, each with versions by content.",
    )
    keep_versions: int = Field(
        5, ge=1, le=100, description="Versions kept per pipeline; older ones are deleted (never one in use)."
    )
    experiments: dict[str, ExperimentConfig] = Field(default_factory=dict)
    schedules: dict[str, ScheduleConfig] = Field(default_factory=dict)

    def manages_kfp_objects(self) -> bool:
        """Whether anything is registered in KFP (pipelines, experiments or schedules)."""
        return bool(self.registered or self.experiments or self.schedules)

    def rule_problems(self) -> Iterator[Violation]:
        from pipelines.catalog import pipeline_names  # cheap: no kfp import

        if why := dns_label_problem(self.namespace):
            yield violation("namespace", f"a namespace name: {why}", self.namespace)
        if self.image is not None:
            try:
                digest_pinned(self.image)
            except ValueError as error:
                yield violation("image", str(error), self.image)
        known_pipelines = pipeline_names()
        seen: set[str] = set()
        for i, name in enumerate(self.registered):
            if name not in known_pipelines:
                known = ", ".join(known_pipelines)
                yield violation(("registered", i), f"unknown pipeline; known: {known}", name)
            elif name in seen:
                yield violation(("registered", i), "registered twice", name)
            seen.add(name)
        if self.manages_kfp_objects() and self.kfp.endpoint is None:
            yield violation(
                ("kfp", "endpoint"),
                "required to register pipelines, experiments or schedules: kfstack registers them from "
                "where `pulumi up` runs, so name the KFP API it reaches there (e.g. "
                "http://localhost:8080/pipeline through a port-forward of the gateway, or "
                "https://<gateway hostname>/pipeline)",
            )
        for name, schedule in self.schedules.items():
            if schedule.pipeline not in known_pipelines:
                yield violation(
                    ("schedules", name, "pipeline"),
                    f"unknown pipeline; known: {', '.join(known_pipelines)}",
                    schedule.pipeline,
                )
            elif schedule.pipeline not in self.registered:
                yield violation(
                    ("schedules", name, "pipeline"),
                    "not registered: add it to pipelines.registered",
                    schedule.pipeline,
                )
            else:
                yield from _parameter_problems(name, schedule)
            if schedule.experiment not in self.experiments:
                known = ", ".join(self.experiments) or "none defined"
                yield violation(
                    ("schedules", name, "experiment"),
                    f"unknown experiment; defined under pipelines.experiments: {known}",
                    schedule.experiment,
                )


def _parameter_problems(schedule_name: str, schedule: ScheduleConfig) -> Iterator[Violation]:
    """Each schedule parameter must be one the pipeline declares, of the declared type."""
    if not schedule.parameters:
        return
    from pipelines.catalog import get_pipeline  # imports kfp: only when parameters need checking

    declared = get_pipeline(schedule.pipeline).default_parameters
    for key, value in schedule.parameters.items():
        path = ("schedules", schedule_name, "parameters", key)
        if key not in declared:
            known = ", ".join(declared)
            yield violation(path, f"{schedule.pipeline} has no parameter {key!r}; it has: {known}")
        elif not _same_type(value, declared[key]):
            expected = type(declared[key]).__name__
            article = "an" if expected[0] in "aeiou" else "a"
            declaration = f"{schedule.pipeline} declares {key}: {expected}"
            yield violation(path, f"must be {article} {expected} ({declaration})", value)


def _same_type(value: Any, default: Any) -> bool:
    if isinstance(default, bool) or isinstance(value, bool):
        return isinstance(value, bool) and isinstance(default, bool)
    if isinstance(default, float):
        return isinstance(value, int | float)
    return type(value) is type(default)
