"""One-off runs of a registered pipeline version, for the CLI: submit one and follow its state.

These are plain client functions (not resources): a run is an event, not desired state.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from kfp_server_api import models

from modules.kfp.client import KfpApi, open_api
from modules.kfp.connection import KfpConnection
from modules.kfp.errors import KfpError, KfpMissingParent, RetryPolicy
from modules.kfp.recurring_run import run_parameters

TERMINAL_STATES = frozenset({"SUCCEEDED", "SKIPPED", "FAILED", "CANCELED"})


class KfpRunTimeout(KfpError):
    """A run did not reach a terminal state in time."""


@dataclass(frozen=True)
class RunStatus:
    """A run as the CLI shows it."""

    run_id: str
    display_name: str
    state: str
    experiment_id: str | None = None
    created_at: str | None = None
    finished_at: str | None = None
    error: str | None = None

    @property
    def finished(self) -> bool:
        """Whether the run reached a terminal state."""
        return self.state in TERMINAL_STATES

    @property
    def succeeded(self) -> bool:
        """Whether the run finished successfully (SKIPPED: every step came from the cache)."""
        return self.state in ("SUCCEEDED", "SKIPPED")


def run_status(run: models.V2beta1Run) -> RunStatus:
    """The RunStatus of an API run."""
    return RunStatus(
        run_id=run.run_id,
        display_name=run.display_name or "",
        state=run.state or "RUNTIME_STATE_UNSPECIFIED",
        experiment_id=run.experiment_id,
        created_at=run.created_at.isoformat() if run.created_at else None,
        finished_at=run.finished_at.isoformat() if run.finished_at else None,
        error=run.error.message if run.error is not None else None,
    )


@dataclass(frozen=True)
class RegisteredVersion:
    """The ids a run of a registered pipeline version needs."""

    pipeline_id: str
    version_id: str
    experiment_id: str


def find_registered_version(
    connection: KfpConnection,
    pipeline: str,
    version: str,
    experiment: str,
    retry: RetryPolicy | None = None,
) -> RegisteredVersion:
    """The ids of pipeline `pipeline`'s version `version` and of `experiment`, by name.

    Raises KfpMissingParent naming what is not registered (e.g. a version not yet uploaded).
    """
    from modules.kfp.client import find_version_by_name
    from modules.kfp.experiment import find_experiment
    from modules.kfp.pipeline import find_pipeline

    where = f"in namespace {connection.namespace} at {connection.endpoint} (`pulumi up` registers it)"
    with open_api(connection, retry) as api:
        found_pipeline = find_pipeline(api, pipeline)
        if found_pipeline is None:
            raise KfpMissingParent(f"pipeline {pipeline!r} is not registered {where}")
        found_version = find_version_by_name(api, found_pipeline.pipeline_id, version)
        if found_version is None:
            raise KfpMissingParent(f"pipeline {pipeline!r} has no version {version!r} {where}")
        found_experiment = find_experiment(api, experiment)
        if found_experiment is None:
            raise KfpMissingParent(f"experiment {experiment!r} is not registered {where}")
    return RegisteredVersion(
        found_pipeline.pipeline_id, found_version.pipeline_version_id, found_experiment.experiment_id
    )


def run_url(connection: KfpConnection, run_id: str) -> str:
    """The run's page in the KFP UI (served under the same base URL as the API)."""
    return f"{connection.endpoint.rstrip('/')}/#/runs/details/{run_id}"


def _find_run(api: KfpApi, experiment_id: str, display_name: str) -> models.V2beta1Run | None:
    for run in api.pages(
        f"looking up run {display_name!r}",
        api.runs.run_service_list_runs,
        "runs",
        experiment_id=experiment_id,
    ):
        if run.display_name == display_name:
            return run
    return None


def submit_run(
    connection: KfpConnection,
    pipeline_id: str,
    version_id: str,
    experiment_id: str,
    parameters: Mapping[str, Any] | None = None,
    display_name: str | None = None,
    service_account: str | None = None,
    retry: RetryPolicy | None = None,
) -> RunStatus:
    """Start one run of a registered pipeline version in an experiment.

    The display name gets a unique suffix, so a retry after a lost answer finds the run it
    already started instead of starting a second one.
    """
    name = f"{display_name or pipeline_id}-{uuid.uuid4().hex[:8]}"
    with open_api(connection, retry) as api:
        for what, method, args in (
            (
                f"experiment {experiment_id}",
                api.experiments.experiment_service_get_experiment,
                (experiment_id,),
            ),
            (
                f"pipeline version {version_id} of pipeline {pipeline_id}",
                api.pipelines.pipeline_service_get_pipeline_version,
                (pipeline_id, version_id),
            ),
        ):
            if api.get_or_none(f"reading {what}", method, *args) is None:
                raise KfpMissingParent(f"{what} not found at {connection.endpoint}")
        body = models.V2beta1Run(
            display_name=name,
            experiment_id=experiment_id,
            pipeline_version_reference=models.V2beta1PipelineVersionReference(
                pipeline_id=pipeline_id, pipeline_version_id=version_id
            ),
            runtime_config=models.V2beta1RuntimeConfig(parameters=run_parameters(parameters)),
            service_account=service_account,
        )
        run = api.call(
            f"creating run {name!r}",
            api.runs.run_service_create_run,
            body,
            recover=lambda: _find_run(api, experiment_id, name),
        )
    return run_status(run)


def get_run(connection: KfpConnection, run_id: str, retry: RetryPolicy | None = None) -> RunStatus:
    """The current status of one run."""
    with open_api(connection, retry) as api:
        return run_status(api.call(f"reading run {run_id}", api.runs.run_service_get_run, run_id))


def run_states(
    connection: KfpConnection,
    run_id: str,
    poll_seconds: float = 10.0,
    timeout_seconds: float | None = None,
    retry: RetryPolicy | None = None,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
) -> Iterator[RunStatus]:
    """Each new state of a run, polled every `poll_seconds`, ending with its terminal state.

    Raises KfpRunTimeout when `timeout_seconds` pass first. Credentials are resolved per poll,
    so a long run outlives a short-lived token.
    """
    deadline = None if timeout_seconds is None else clock() + timeout_seconds
    last_state: str | None = None
    while True:
        status = get_run(connection, run_id, retry)
        if status.state != last_state:
            last_state = status.state
            yield status
        if status.finished:
            return
        if deadline is not None and clock() >= deadline:
            raise KfpRunTimeout(f"run {run_id} still {status.state} after {timeout_seconds} s")
        sleep(poll_seconds)


def wait_for_run(connection: KfpConnection, run_id: str, **options: Any) -> RunStatus:
    """The terminal status of a run (options as for `run_states`)."""
    states = list(run_states(connection, run_id, **options))
    return states[-1]
