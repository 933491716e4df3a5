"""What every provider shares: statelessness (nothing but a retry policy) and secret outputs."""

from __future__ import annotations

import dill
from pulumi.runtime import rpc

from modules.kfp.errors import RetryPolicy
from modules.kfp.experiment import ExperimentProvider
from modules.kfp.pipeline import PipelineProvider
from modules.kfp.pipeline_version import PipelineVersionProvider
from modules.kfp.recurring_run import RecurringRunProvider


def test_providers_hold_only_a_retry_policy_and_pickle_by_reference() -> None:
    for provider_type in (
        PipelineProvider,
        PipelineVersionProvider,
        ExperimentProvider,
        RecurringRunProvider,
    ):
        provider = provider_type(RetryPolicy(attempts=2))
        assert set(vars(provider)) == {"_retry"}
        copy = dill.loads(dill.dumps(provider, recurse=True))
        assert type(copy) is provider_type and copy._retry == RetryPolicy(attempts=2)


def test_outputs_keep_credentials_secret_and_drop_the_provider_blob() -> None:
    outs = PipelineProvider().outputs(
        {"credentials": {"token": "t"}, "__provider": "blob", "name": "p"}, pipeline_id="1", created_at=None
    )
    assert rpc.is_rpc_secret(outs["credentials"]) and "__provider" not in outs
    assert outs["pipeline_id"] == "1" and "created_at" not in outs
