"""Kubeflow Pipelines objects as Pulumi resources (dynamic providers over KFP's v2beta1 REST API).

`Pipeline` → `PipelineVersion` → `RecurringRun`, and `Experiment`, each taking a `KfpConnection`.
Provider classes are serialised by reference: keep their module paths and names stable.
See modules/kfp/README.md for the lifecycle rules (versions, retention, replacement order).
"""

from modules.kfp.connection import KFP_TOKEN_AUDIENCE, AuthMode, KfpConnection
from modules.kfp.errors import (
    KfpApiError,
    KfpAuthError,
    KfpConflict,
    KfpError,
    KfpMissingParent,
    KfpNotFound,
    RetryPolicy,
)
from modules.kfp.experiment import Experiment, ExperimentProvider
from modules.kfp.pipeline import Pipeline, PipelineProvider
from modules.kfp.pipeline_version import PipelineVersion, PipelineVersionProvider
from modules.kfp.recurring_run import RecurringRun, RecurringRunProvider
from modules.kfp.runs import RunStatus, get_run, run_states, submit_run, wait_for_run
from modules.kfp.schedule import cron_problem
from modules.kfp.versioning import files_digest, version_hash, version_name

__all__ = [
    "KFP_TOKEN_AUDIENCE",
    "AuthMode",
    "Experiment",
    "ExperimentProvider",
    "KfpApiError",
    "KfpAuthError",
    "KfpConflict",
    "KfpConnection",
    "KfpError",
    "KfpMissingParent",
    "KfpNotFound",
    "Pipeline",
    "PipelineProvider",
    "PipelineVersion",
    "PipelineVersionProvider",
    "RecurringRun",
    "RecurringRunProvider",
    "RetryPolicy",
    "RunStatus",
    "cron_problem",
    "files_digest",
    "get_run",
    "run_states",
    "submit_run",
    "version_hash",
    "version_name",
    "wait_for_run",
]
