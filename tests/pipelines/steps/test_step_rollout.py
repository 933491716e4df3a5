"""Apply-and-wait against an in-process Kubernetes API (real HTTP, the real `kubernetes` client)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from kubernetes import client

from pipelines.steps import rollout, serving
from tests.pipelines.steps.inference_service_api import InferenceServiceApiServer, predictor_deployment

NAMESPACE = "kfstack-serving"
NAME = "digits-mlp"


@pytest.fixture
def crd_schema() -> Path:
    path = serving.crd_schema_path()
    if path is None:
        pytest.skip("InferenceService CRD schema not found: set KFSTACK_CRD_DIR (see serving.crd_schema_path)")
    return path


@pytest.fixture
def server(crd_schema: Path) -> Iterator[InferenceServiceApiServer]:
    with InferenceServiceApiServer(crd_schema) as api_server:
        yield api_server
        assert not api_server.violations, "\n".join(api_server.violations)


@pytest.fixture
def api(server: InferenceServiceApiServer) -> rollout.KubernetesInferenceServiceApi:
    configuration = client.Configuration(host=server.host)
    return rollout.KubernetesInferenceServiceApi(client.ApiClient(configuration))


class FakeClock:
    """A monotonic clock that only moves when the rollout sleeps."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def _manifest(deployment_mode: str = "Standard", canary: int = 0, version: str = "2") -> dict[str, Any]:
    return serving.inference_service(
        NAME, NAMESPACE, f"s3://models/{version}/artifacts/serving", version, "v1",
        deployment_mode=deployment_mode, canary_traffic_percent=canary,
    )


def _conditions(ready: str, reason: str = "", message: str = "") -> list[dict[str, Any]]:
    condition: dict[str, Any] = {"type": "Ready", "status": ready}
    condition.update({k: v for k, v in (("reason", reason), ("message", message)) if v})
    return [{"type": "PredictorReady", "status": ready, **{k: v for k, v in condition.items() if k != "type"}},
            {"type": "IngressReady", "status": "True"}, condition]


def _status(observed: int, ready: str, **extra: Any) -> dict[str, Any]:
    return {"observedGeneration": observed, "conditions": _conditions(ready), **extra}


def _roll_out(api: Any, manifest: dict[str, Any], clock: FakeClock, timeout: float = 60.0) -> rollout.RolloutResult:
    return rollout.roll_out(api, manifest, timeout_seconds=timeout, poll_interval_seconds=2.0,
                            clock=clock, sleep=clock.sleep)


def test_a_fresh_service_is_created_after_a_404_and_waited_for_until_ready(server, api) -> None:
    # the controller observes generation 1 on the second read and makes it Ready on the fourth
    def controller(service: dict[str, Any], reads: int) -> dict[str, Any] | None:
        if reads < 2:
            return None
        return _status(1, "True" if reads >= 4 else "Unknown", url="http://digits-mlp.kfstack-serving.example.com")

    server.controller = controller
    clock = FakeClock()
    result = _roll_out(api, _manifest(), clock)
    assert (result.created, result.generation, result.polls) == (True, 1, 4)
    assert result.url == "http://digits-mlp.kfstack-serving.example.com"
    methods = [method for method, _ in server.requests]
    assert methods == ["GET", "POST", "GET", "GET", "GET", "GET", "GET"]
    # Standard mode: once the status says rolled out, the predictor Deployment is checked too
    assert server.requests[-1][1] == (f"/apis/apps/v1/namespaces/{NAMESPACE}/deployments?labelSelector="
                                      "serving.kserve.io%2Finferenceservice%3Ddigits-mlp%2Ccomponent%3Dpredictor")
    assert server.requests[1][1].startswith(
        f"/apis/serving.kserve.io/v1beta1/namespaces/{NAMESPACE}/inferenceservices?")
    assert "fieldManager=kfstack" in server.requests[1][1]
    assert clock.sleeps == [2.0, 2.0, 2.0]
    stored = server.objects[(NAMESPACE, NAME)]
    assert stored["spec"] == _manifest()["spec"]


def test_an_old_revision_that_is_already_ready_does_not_end_the_wait(server, api) -> None:
    server.seed(_manifest(version="1"), generation=3, status=_status(3, "True"))

    def controller(service: dict[str, Any], reads: int) -> dict[str, Any] | None:
        generation = service["metadata"]["generation"]
        if generation == 3 or reads <= 2:
            return None  # not reconciled yet: the old generation's Ready status stays
        # rolling update in progress (Deployment Progressing: ReplicaSetUpdated), then done
        return _status(generation, "Unknown" if reads <= 4 else "True")

    server.controller = controller
    result = _roll_out(api, _manifest(version="2"), FakeClock())
    assert (result.created, result.generation, result.polls) == (False, 4, 5)
    after_apply = server.served[1:]  # served[0] is the read before the replace
    assert after_apply[0]["status"]["observedGeneration"] == 3
    assert after_apply[0]["status"]["conditions"][-1] == {"type": "Ready", "status": "True"}
    assert [s["status"]["observedGeneration"] for s in after_apply] == [3, 3, 4, 4, 4]
    assert server.objects[(NAMESPACE, NAME)]["spec"]["predictor"]["model"]["storageUri"] == \
        "s3://models/2/artifacts/serving"


def test_a_stale_status_ahead_by_hpa_scaling_waits_for_the_deployment_to_run_the_new_model(server, api) -> None:
    # KServe copies observedGeneration from the predictor Deployment, whose generation the HPA's
    # scaling bumped to 7: ahead of the InferenceService's 4 before the new spec is even reconciled
    server.seed(_manifest(version="1"), generation=3, status=_status(7, "True"))
    old, new = "s3://models/1/artifacts/serving", "s3://models/2/artifacts/serving"

    def deployments(service: dict[str, Any], reads: int) -> list[dict[str, Any]]:
        if reads <= 2:
            return [predictor_deployment(service, old, generation=7, observed=7, replicas=2, updated=2, total=2,
                                         available=2)]
        if reads == 3:  # new template observed, one new pod so far
            return [predictor_deployment(service, new, generation=8, observed=8, replicas=2, updated=1, total=3,
                                         available=2)]
        if reads == 4:  # both new pods up, an old one still terminating
            return [predictor_deployment(service, new, generation=8, observed=8, replicas=2, updated=2, total=3,
                                         available=2)]
        return [predictor_deployment(service, new, generation=8, observed=8, replicas=2, updated=2, total=2,
                                     available=2)]

    server.deployments = deployments
    server.controller = lambda service, reads: _status(7 if reads <= 2 else 8, "True")
    result = _roll_out(api, _manifest(version="2"), FakeClock())
    assert (result.generation, result.polls) == (4, 5)
    first_read = server.served[1]["status"]
    assert first_read["observedGeneration"] >= 4 and first_read["conditions"][-1]["status"] == "True"


def test_a_deployment_that_never_finishes_its_rolling_update_times_out_saying_so(server, api) -> None:
    server.seed(_manifest(version="1"), generation=1, status=_status(1, "True"))
    server.controller = lambda service, reads: _status(service["metadata"]["generation"], "True")
    server.deployments = lambda service, reads: [predictor_deployment(
        service, "s3://models/2/artifacts/serving", generation=2, observed=2, replicas=2, updated=1, total=3,
        available=2)]
    with pytest.raises(rollout.RolloutTimeoutError, match="Deployment digits-mlp-predictor: 1 of 2 replicas updated"):
        _roll_out(api, _manifest(version="2"), FakeClock(), timeout=10)


def test_a_rollout_that_never_becomes_ready_times_out_naming_what_is_missing(server, api) -> None:
    server.seed(_manifest(version="1"), generation=1, status=_status(1, "True"))
    server.controller = lambda service, reads: _status(service["metadata"]["generation"], "Unknown")
    clock = FakeClock()
    with pytest.raises(rollout.RolloutTimeoutError) as raised:
        _roll_out(api, _manifest(version="2"), clock, timeout=30)
    message = str(raised.value)
    assert message.startswith(f"InferenceService {NAMESPACE}/{NAME} generation 2 not rolled out after 30s")
    assert "Ready Unknown" in message and "PredictorReady Unknown" in message
    assert sum(clock.sleeps) == 30
    assert isinstance(raised.value, TimeoutError)


def test_an_unobserved_generation_times_out_with_the_generations_in_the_message(server, api) -> None:
    server.seed(_manifest(version="1"), generation=1, status=_status(1, "True"))
    with pytest.raises(rollout.RolloutTimeoutError, match=r"observedGeneration 1 < generation 2"):
        _roll_out(api, _manifest(version="2"), FakeClock(), timeout=10)


def test_a_failed_ready_condition_is_reported_with_its_reason_and_message(server, api) -> None:
    def controller(service: dict[str, Any], reads: int) -> dict[str, Any]:
        status: dict[str, Any] = {"observedGeneration": service["metadata"]["generation"],
                                  "conditions": _conditions("False", "ProgressDeadlineExceeded",
                                                            'ReplicaSet "digits-mlp-predictor-7f" has timed out progressing.')}
        return status

    server.controller = controller
    with pytest.raises(rollout.RolloutTimeoutError) as raised:
        _roll_out(api, _manifest(), FakeClock(), timeout=20)
    assert ('Ready False (ProgressDeadlineExceeded: ReplicaSet "digits-mlp-predictor-7f" has timed out '
            "progressing.)") in str(raised.value)


def test_a_model_that_failed_to_load_fails_at_once_with_kserves_failure_info(server, api) -> None:
    def controller(service: dict[str, Any], reads: int) -> dict[str, Any]:
        return {"observedGeneration": service["metadata"]["generation"], "conditions": _conditions("False"),
                "modelStatus": {"transitionStatus": "BlockedByFailedLoad",
                                "states": {"activeModelState": "", "targetModelState": "FailedToLoad"},
                                "lastFailureInfo": {"reason": "ModelLoadFailed",
                                                    "message": "no model found at s3://models/2"}}}

    server.controller = controller
    clock = FakeClock()
    with pytest.raises(rollout.RolloutError) as raised:
        _roll_out(api, _manifest(), clock)
    assert not isinstance(raised.value, rollout.RolloutTimeoutError)
    assert str(raised.value) == (
        f"InferenceService {NAMESPACE}/{NAME} generation 1 failed: modelStatus.transitionStatus "
        "BlockedByFailedLoad; last failure: ModelLoadFailed: no model found at s3://models/2")
    assert clock.sleeps == []


def test_a_status_of_an_older_generation_that_failed_is_not_taken_for_the_new_one(server, api) -> None:
    failed = {"observedGeneration": 1, "conditions": _conditions("False"),
              "modelStatus": {"transitionStatus": "BlockedByFailedLoad"}}
    server.seed(_manifest(version="1"), generation=1, status=failed)
    server.controller = lambda service, reads: None if reads < 3 else _status(2, "True")
    result = _roll_out(api, _manifest(version="2"), FakeClock())
    assert (result.generation, result.polls) == (2, 3)


def _knative_status(generation: int, created: str, ready: str, traffic: list[tuple[str, int, bool]]) -> dict[str, Any]:
    return {
        "observedGeneration": generation,
        "conditions": _conditions("True"),
        "url": "http://digits-mlp.kfstack-serving.example.com",
        "components": {"predictor": {
            "latestCreatedRevision": created,
            "latestReadyRevision": ready,
            "traffic": [{"revisionName": rev, "percent": pct, "latestRevision": latest}
                        for rev, pct, latest in traffic],
        }},
    }


def test_a_knative_canary_waits_for_the_new_revision_to_be_ready_and_take_its_share(server, api) -> None:
    old = "digits-mlp-predictor-00001"
    new = "digits-mlp-predictor-00002"
    server.seed(_manifest("Knative", version="1"), generation=1,
                status=_knative_status(1, old, old, [(old, 100, True)]))

    def controller(service: dict[str, Any], reads: int) -> dict[str, Any] | None:
        if service["metadata"]["generation"] == 1:
            return None
        if reads == 1:  # new revision created, not ready: Ready stays True on the old one
            return _knative_status(2, new, old, [(old, 100, False)])
        if reads == 2:  # ready, traffic not moved yet
            return _knative_status(2, new, new, [(old, 100, False), (new, 0, True)])
        return _knative_status(2, new, new, [(old, 90, False), (new, 10, True)])

    server.controller = controller
    result = _roll_out(api, _manifest("Knative", canary=10, version="2"), FakeClock())
    assert (result.generation, result.revision, result.polls) == (2, new, 3)
    assert server.objects[(NAMESPACE, NAME)]["spec"]["predictor"]["canaryTrafficPercent"] == 10


def test_a_knative_revision_that_never_gets_traffic_times_out(server, api) -> None:
    rev = "digits-mlp-predictor-00002"
    server.controller = lambda service, reads: _knative_status(1, rev, rev, [("digits-mlp-predictor-00001", 100, False)])
    with pytest.raises(rollout.RolloutTimeoutError, match=f"revision {rev} serves 0% of traffic, expected 100%"):
        _roll_out(api, _manifest("Knative"), FakeClock(), timeout=10)


def test_promoting_a_canary_replaces_the_spec_so_the_canary_share_is_removed(server, api) -> None:
    rev1, rev2 = "digits-mlp-predictor-00001", "digits-mlp-predictor-00002"
    server.seed(_manifest("Knative", canary=10), generation=2,
                status=_knative_status(2, rev2, rev2, [(rev1, 90, False), (rev2, 10, True)]))
    server.controller = lambda service, reads: (
        None if service["metadata"]["generation"] == 2 else _knative_status(3, rev2, rev2, [(rev2, 100, True)]))
    result = _roll_out(api, _manifest("Knative"), FakeClock())
    assert result.generation == 3
    assert "canaryTrafficPercent" not in server.objects[(NAMESPACE, NAME)]["spec"]["predictor"]


def test_an_unchanged_spec_keeps_its_generation_and_returns_when_it_is_rolled_out(server, api) -> None:
    server.seed(_manifest(), generation=5, status=_status(5, "True"))
    result = _roll_out(api, _manifest(), FakeClock())
    assert (result.created, result.generation, result.polls) == (False, 5, 1)


def test_a_replace_that_loses_a_race_reads_again_and_keeps_the_other_writers_labels(server, api) -> None:
    server.seed(_manifest(version="1"), generation=1, status=_status(1, "True"))
    server.before_replace = lambda stored: stored["metadata"]["labels"].update({"team": "a"})
    server.controller = lambda service, reads: _status(service["metadata"]["generation"], "True")
    result = _roll_out(api, _manifest(version="2"), FakeClock())
    assert result.generation == 2
    assert [m for m, _ in server.requests][:4] == ["GET", "PUT", "GET", "PUT"]
    labels = server.objects[(NAMESPACE, NAME)]["metadata"]["labels"]
    assert labels["team"] == "a" and labels["kfstack.io/model-version"] == "2"


def test_api_errors_name_the_action_the_service_and_the_servers_message(crd_schema) -> None:
    with InferenceServiceApiServer(crd_schema) as api_server:
        api = rollout.KubernetesInferenceServiceApi(client.ApiClient(client.Configuration(host=api_server.host)))
        api_server.seed(_manifest(), generation=1, status=_status(1, "True"))
        with pytest.raises(rollout.RolloutError) as raised:
            api.create(NAMESPACE, _manifest())
    assert str(raised.value) == (f'could not create InferenceService {NAMESPACE}/{NAME}: HTTP 409 Conflict: '
                                 f'inferenceservices.serving.kserve.io "{NAME}" already exists')


def test_serving_apply_inference_service_delegates_to_the_rollout_with_in_cluster_config(server, monkeypatch) -> None:
    from kubernetes import config

    def load_incluster_config() -> None:
        client.Configuration.set_default(client.Configuration(host=server.host))

    monkeypatch.setattr(config, "load_incluster_config", load_incluster_config)
    monkeypatch.setattr(client.Configuration, "_default", None)
    server.controller = lambda service, reads: _status(1, "True")
    result = serving.apply_inference_service(_manifest(), timeout_seconds=5)
    assert (result.created, result.generation, result.polls) == (True, 1, 1)
