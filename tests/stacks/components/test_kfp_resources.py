"""The KFP resources builder: registered pipelines compiled for the environment with versions by
content, experiments and schedules, the identity kfstack authenticates as, and the planned inputs
replayed through the real providers against the contract-checked KFP API test server."""

from __future__ import annotations

from typing import Any

import pytest

from modules.kfp.experiment import ExperimentProvider
from modules.kfp.pipeline import PipelineProvider
from modules.kfp.pipeline_version import PipelineVersionProvider
from modules.kfp.recurring_run import RecurringRunProvider
from modules.kfp.versioning import files_digest, version_name
from pipelines.catalog import compile_pipeline
from stacks.components.kfp_resources import STEPS_DIR
from stacks.pipeline_target import environment_target

KFP = "pulumi-python:dynamic/kfp:"


def test_each_registered_pipeline_has_a_version_named_by_its_compiled_spec_and_step_code(plan) -> None:
    result = plan("dev")
    target = environment_target(result.config)
    steps = files_digest(STEPS_DIR)
    for name in result.config.pipelines.registered:
        (version,) = result.find(f"{KFP}PipelineVersion", f"pipeline-{name}-version")
        spec = compile_pipeline(name, target)
        assert version.inputs["spec"] == spec
        assert version.inputs["name"] == version_name(name, spec, steps)
        assert version.inputs["keep_versions"] == result.config.pipelines.keep_versions
    # dev's data claim is compiled in; its models go beside MLflow's run artifacts in S3 (no models
    # claim); no reference step uses a GPU, so none lands on the GPU pool
    (version,) = result.find(f"{KFP}PipelineVersion", "pipeline-retrain-version")
    assert "mountPath: /mnt/data" in version.inputs["spec"]
    assert "mountPath: /mnt/models" not in version.inputs["spec"]
    assert "kfstack.io/pool: gpu-a10g" not in version.inputs["spec"]


def test_schedules_point_at_the_current_version_with_the_matrix_kfp_version(plan) -> None:
    result = plan("dev")
    (schedule,) = result.find(f"{KFP}RecurringRun")
    config = result.config.pipelines.schedules["nightly-retrain"]
    assert schedule.inputs["cron"] == config.cron
    assert schedule.inputs["max_concurrency"] == config.max_concurrency
    assert schedule.inputs["kfp_version"] == result.config.components.version_of("kubeflowPipelines")
    version = result.find(f"{KFP}PipelineVersion", "pipeline-retrain-version")[0]
    experiment = result.find(f"{KFP}Experiment", "experiment-retrain")[0]
    assert {version.urn, experiment.urn} <= set(schedule.dependencies)


def test_kfp_objects_wait_for_the_namespace_and_the_identity_and_reach_kfp_as_it(plan_of) -> None:
    # outside profiles (standalone KFP) the builder creates the identity; in a profile the profile
    # holds it (tests/stacks/components/test_team_profiles.py)
    def without_profiles(values: dict) -> None:
        for key in ("profiles", "kubeflowPipelines", "centralDashboard"):
            values["components"][key] = {"enabled": False}
        values.pop("profiles")

    result = plan_of("local", without_profiles)
    namespace = result.find("kubernetes:core/v1:Namespace", "ns-kubeflow-user")[0].urn
    account = result.find("kubernetes:core/v1:ServiceAccount", "kfp-access-kfstack-pipelines")[0]
    binding = result.find("kubernetes:rbac.authorization.k8s.io/v1:RoleBinding")[0]
    assert binding.inputs["roleRef"]["name"] == "kubeflow-pipelines-edit"
    kfp = [r for r in result.resources if r.type.startswith(KFP)]
    assert kfp
    for resource in kfp:
        assert {namespace, account.urn, binding.urn} <= set(resource.dependencies), resource.name
        connection = resource.inputs["connection"]
        assert connection["endpoint"] == "http://localhost:8080/pipeline"
        assert connection["auth"] == "serviceAccountToken"
        assert connection["service_account"] == "kfstack-pipelines"
        assert connection["kube_context"] == "kind-kfstack"
        assert resource.inputs["credentials"] == "[secret]"  # the kubeconfig path travels as a secret
        assert "__provider" not in resource.inputs


def test_nothing_registered_means_no_kfp_objects_and_no_identity(plan_of) -> None:
    def nothing(values: dict) -> None:
        values["pipelines"] = {"namespace": "kubeflow-user"}

    result = plan_of("local", nothing)
    assert [r for r in result.resources if r.type.startswith(KFP)] == []
    # the automation identity belongs to the profile (for `pulumi up` runs from CI), not to the objects
    assert [r.name for r in result.find("kfstack:kfp:Access")] == ["kubeflow-user-kfp-access"]


def test_an_oidc_token_is_a_secret_and_creates_no_service_account(plan_of) -> None:
    def oidc(values: dict) -> None:
        from stacks.config.secrets import SecretRef

        values["pipelines"]["kfp"]["auth"] = {"mode": "oidcToken", "token": SecretRef("v1:ciphertext")}

    result = plan_of("local", oidc)
    assert result.find("kfstack:kfp:Access") == []
    (pipeline, *_) = result.find(f"{KFP}Pipeline")
    assert pipeline.inputs["connection"]["auth"] == "oidcToken"
    assert pipeline.inputs["credentials"] == "[secret]"
    assert "offline-placeholder" not in result.json_text()


def test_schedule_parameters_reach_the_recurring_run(plan_of) -> None:
    def params(values: dict) -> None:
        values["pipelines"]["schedules"]["nightly-retrain"]["parameters"] = {
            "window_days": 7,
            "dry_run": True,
        }

    (schedule,) = plan_of("dev", params).find(f"{KFP}RecurringRun")
    assert schedule.inputs["parameters"] == {"window_days": 7, "dry_run": True}


def _replayable(inputs: dict[str, Any], url: str) -> dict[str, Any]:
    """Planned inputs as a provider receives them, pointed at the test server without auth."""
    props = {k: v for k, v in inputs.items() if k != "credentials"}
    props["connection"] = {**inputs["connection"], "endpoint": url, "auth": "none", "service_account": None}
    props["credentials"] = {}
    return props


@pytest.mark.slow
def test_the_planned_objects_are_accepted_by_the_providers_and_the_kfp_api(plan, kfp_server) -> None:
    result = plan("dev")

    def inputs(kind: str, name: str) -> dict[str, Any]:
        return _replayable(result.find(f"{KFP}{kind}", name)[0].inputs, kfp_server.url)

    pipeline = PipelineProvider().create(inputs("Pipeline", "pipeline-retrain"))
    version_props = {**inputs("PipelineVersion", "pipeline-retrain-version"), "pipeline_id": pipeline.id}
    assert PipelineVersionProvider().check({}, version_props).failures == []
    version = PipelineVersionProvider().create(version_props)
    experiment = ExperimentProvider().create(inputs("Experiment", "experiment-retrain"))
    schedule_props = {
        **inputs("RecurringRun", "schedule-nightly-retrain"),
        "pipeline_id": pipeline.id,
        "pipeline_version_id": version.id,
        "experiment_id": experiment.id,
    }
    assert RecurringRunProvider().check({}, schedule_props).failures == []
    schedule = RecurringRunProvider().create(schedule_props)
    live = kfp_server.store.recurring_runs[schedule.id]
    assert live.pipeline_version_reference.pipeline_version_id == version.id
    assert kfp_server.store.versions[version.id].name.startswith("retrain-")
