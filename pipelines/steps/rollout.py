"""Apply an InferenceService and wait until its new generation is rolled out, ready and serving.

A rollout is done when KServe has observed the generation our write produced
(`status.observedGeneration`), the `Ready` and `PredictorReady` conditions are True for it, and in
Knative mode the predictor's latest created revision is its latest ready revision and receives its
share of traffic (`status.components.predictor.traffic`). An already-Ready old revision therefore
never ends the wait. Field names follow KServe's `pkg/apis/serving/v1beta1/inference_service_status.go`
and the InferenceService CRD.

KServe copies `status.observedGeneration` from the Deployment (Standard mode) or Knative Service it
owns. In Standard mode that Deployment's generation also moves when the HPA scales it, so it can be
ahead of the InferenceService's generation while the status still describes the old spec; there the
predictor Deployment (labels `serving.kserve.io/inferenceservice=<name>`, `component=predictor`) is
checked too, the way `kubectl rollout status` does: its template carries the new `storageUri`, its
controller observed it, and every replica is updated and available with no old one left.

Existing services are replaced (PUT with the resourceVersion read just before), not merge-patched: a
JSON merge patch keeps keys the new manifest leaves out (e.g. `canaryTrafficPercent` when a canary is
promoted), a replace does not.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from pipelines.steps.serving import DEPLOYMENT_MODE_ANNOTATION, GROUP, PLURAL, VERSION

if TYPE_CHECKING:
    from kubernetes.client import ApiClient

FIELD_MANAGER = "kfstack"
REQUIRED_CONDITIONS = ("Ready", "PredictorReady")
TERMINAL_TRANSITIONS = ("BlockedByFailedLoad", "InvalidSpec")
"""`status.modelStatus.transitionStatus` values after which waiting cannot help."""
ISVC_LABEL = "serving.kserve.io/inferenceservice"
COMPONENT_LABEL = "component"
"""The labels KServe puts on the objects it creates for an InferenceService's components."""
_CONFLICT_RETRIES = 3


class RolloutError(RuntimeError):
    """The InferenceService could not be applied, or its new generation failed to roll out."""


class RolloutTimeoutError(RolloutError, TimeoutError):
    """The new generation was not rolled out within the timeout."""


class InferenceServiceApi(Protocol):
    """The InferenceService calls a rollout needs (namespaced; `get` returns None for 404)."""

    def get(self, namespace: str, name: str) -> dict[str, Any] | None: ...

    def create(self, namespace: str, body: dict[str, Any]) -> dict[str, Any]: ...

    def replace(self, namespace: str, name: str, body: dict[str, Any]) -> dict[str, Any]: ...

    def predictor_deployments(self, namespace: str, name: str) -> list[dict[str, Any]]:
        """The Deployments KServe runs the predictor of `name` in (Standard mode)."""
        ...


class ConflictError(RolloutError):
    """A replace lost a race with another writer (HTTP 409): read again and retry."""


class KubernetesInferenceServiceApi:
    """`InferenceServiceApi` over the official client's CustomObjectsApi."""

    def __init__(self, api_client: ApiClient | None = None) -> None:
        from kubernetes import client

        self._api = client.CustomObjectsApi(api_client)
        self._apps = client.AppsV1Api(api_client)

    def get(self, namespace: str, name: str) -> dict[str, Any] | None:
        from kubernetes.client.rest import ApiException

        try:
            return dict(self._api.get_namespaced_custom_object(GROUP, VERSION, namespace, PLURAL, name))
        except ApiException as error:
            if error.status == 404:
                return None
            raise _api_error("read", namespace, name, error) from None

    def create(self, namespace: str, body: dict[str, Any]) -> dict[str, Any]:
        from kubernetes.client.rest import ApiException

        try:
            return dict(self._api.create_namespaced_custom_object(
                GROUP, VERSION, namespace, PLURAL, body, field_manager=FIELD_MANAGER))
        except ApiException as error:
            raise _api_error("create", namespace, body["metadata"]["name"], error) from None

    def replace(self, namespace: str, name: str, body: dict[str, Any]) -> dict[str, Any]:
        from kubernetes.client.rest import ApiException

        try:
            return dict(self._api.replace_namespaced_custom_object(
                GROUP, VERSION, namespace, PLURAL, name, body, field_manager=FIELD_MANAGER))
        except ApiException as error:
            if error.status == 409:
                raise ConflictError(f"InferenceService {namespace}/{name} changed while kfstack "
                                    "replaced it") from None
            raise _api_error("replace", namespace, name, error) from None

    def predictor_deployments(self, namespace: str, name: str) -> list[dict[str, Any]]:
        from kubernetes.client.rest import ApiException

        selector = f"{ISVC_LABEL}={name},{COMPONENT_LABEL}=predictor"
        try:
            listed = self._apps.list_namespaced_deployment(namespace, label_selector=selector)
        except ApiException as error:
            raise _api_error("list the predictor Deployments of", namespace, name, error) from None
        return [self._apps.api_client.sanitize_for_serialization(item) for item in listed.items]


def _api_error(action: str, namespace: str, name: str, error: Any) -> RolloutError:
    return RolloutError(f"could not {action} InferenceService {namespace}/{name}: HTTP {error.status} "
                        f"{error.reason}: {_message(error.body)}")


def _message(body: Any) -> str:
    """The `message` of a Kubernetes Status body (the body itself when it is not one)."""
    import json

    try:
        return str(json.loads(body).get("message", body))
    except (TypeError, ValueError, AttributeError):
        return str(body)


@dataclass(frozen=True)
class RolloutResult:
    """A finished rollout: the generation KServe observed, the serving revision (Knative) and URL."""

    name: str
    namespace: str
    generation: int
    created: bool
    revision: str | None
    url: str | None
    polls: int


def apply(api: InferenceServiceApi, manifest: dict[str, Any]) -> tuple[dict[str, Any], bool]:
    """Create the InferenceService, or replace the existing one's spec, labels and annotations.

    Returns the object as the API server stored it (its `metadata.generation` is the one to wait
    for) and whether it was created.
    """
    namespace, name = manifest["metadata"]["namespace"], manifest["metadata"]["name"]
    for _ in range(_CONFLICT_RETRIES):
        current = api.get(namespace, name)
        if current is None:
            return api.create(namespace, manifest), True
        try:
            return api.replace(namespace, name, _replacement(current, manifest)), False
        except ConflictError:
            continue
    raise RolloutError(f"InferenceService {namespace}/{name} kept changing while kfstack replaced it "
                       f"({_CONFLICT_RETRIES} attempts)")


def _replacement(current: dict[str, Any], manifest: dict[str, Any]) -> dict[str, Any]:
    """`manifest` on top of the stored object's metadata (finalizers, others' labels, resourceVersion)."""
    metadata = dict(current.get("metadata", {}))
    for key in ("labels", "annotations"):
        merged = {**metadata.get(key, {}), **manifest["metadata"].get(key, {})}
        if merged:
            metadata[key] = merged
    metadata.pop("managedFields", None)
    return {"apiVersion": manifest["apiVersion"], "kind": manifest["kind"], "metadata": metadata,
            "spec": manifest["spec"]}


@dataclass(frozen=True)
class RolloutState:
    """What one status read says about the rollout of `generation`."""

    done: bool
    waiting_for: str
    """Why it is not done yet (empty when done)."""
    failure: str | None = None
    """Set when waiting cannot help (KServe reports the model failed to load or the spec invalid)."""


def rollout_state(
    service: dict[str, Any], generation: int, knative: bool, traffic_percent: int
) -> RolloutState:
    """Whether `service`'s status shows `generation` rolled out; `traffic_percent`: the new revision's
    share (Knative mode: the canary share, or 100)."""
    status = service.get("status") or {}
    observed = status.get("observedGeneration")
    if observed is None or int(observed) < generation:
        return RolloutState(False, f"observedGeneration {observed} < generation {generation}")
    model = status.get("modelStatus") or {}
    if model.get("transitionStatus") in TERMINAL_TRANSITIONS:
        return RolloutState(False, "", failure=f"modelStatus.transitionStatus {model['transitionStatus']}"
                                               f"{_failure_info(model)}")
    conditions = {c.get("type"): c for c in status.get("conditions") or []}
    not_true = [_describe(t, conditions.get(t)) for t in REQUIRED_CONDITIONS
                if (conditions.get(t) or {}).get("status") != "True"]
    if not_true:
        return RolloutState(False, "; ".join(not_true) + _failure_info(model))
    if knative:
        predictor = (status.get("components") or {}).get("predictor") or {}
        created, ready = predictor.get("latestCreatedRevision"), predictor.get("latestReadyRevision")
        if not created or created != ready:
            return RolloutState(False, f"latestReadyRevision {ready} != latestCreatedRevision {created}")
        share = sum(int(t.get("percent") or 0) for t in predictor.get("traffic") or []
                    if t.get("revisionName") == created)
        if share < traffic_percent:
            return RolloutState(False, f"revision {created} serves {share}% of traffic, "
                                       f"expected {traffic_percent}%")
    return RolloutState(True, "")


def deployments_rolled_out(deployments: list[dict[str, Any]], storage_uri: str) -> str:
    """Why the predictor Deployments do not run `storage_uri` on every replica yet (empty: they do)."""
    import json

    if not deployments:
        return "no predictor Deployment yet"
    for deployment in deployments:
        name = deployment.get("metadata", {}).get("name")
        spec, status = deployment.get("spec") or {}, deployment.get("status") or {}
        # KServe writes the storageUri into the pod template (the storage-initializer-sourceuri
        # annotation, and the storage initializer's arguments when it runs one)
        if storage_uri not in json.dumps(spec.get("template") or {}):
            return f"Deployment {name} does not run {storage_uri} yet"
        if int(status.get("observedGeneration") or 0) < int(deployment["metadata"].get("generation") or 0):
            return f"Deployment {name}: new template not observed yet"
        wanted = int(spec.get("replicas", 1))
        updated = int(status.get("updatedReplicas") or 0)
        if updated < wanted:
            return f"Deployment {name}: {updated} of {wanted} replicas updated"
        if int(status.get("replicas") or 0) > updated:
            return f"Deployment {name}: {int(status['replicas']) - updated} old replicas still running"
        available = int(status.get("availableReplicas") or 0)
        if available < updated:
            return f"Deployment {name}: {available} of {updated} updated replicas available"
    return ""


def _describe(condition_type: str, condition: dict[str, Any] | None) -> str:
    if condition is None:
        return f"{condition_type} not reported"
    text = f"{condition_type} {condition.get('status')}"
    details = ": ".join(str(condition[k]) for k in ("reason", "message") if condition.get(k))
    return f"{text} ({details})" if details else text


def _failure_info(model_status: dict[str, Any]) -> str:
    info = model_status.get("lastFailureInfo") or {}
    details = ": ".join(str(info[k]) for k in ("reason", "message") if info.get(k))
    return f"; last failure: {details}" if details else ""


def wait_for_rollout(
    api: InferenceServiceApi,
    namespace: str,
    name: str,
    generation: int,
    *,
    knative: bool,
    traffic_percent: int,
    storage_uri: str,
    timeout_seconds: float,
    poll_interval_seconds: float = 5.0,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
) -> tuple[dict[str, Any], int]:
    """Poll until `generation` is rolled out; the last object read and the number of reads.

    Standard mode (not `knative`) also waits for the predictor Deployments to run `storage_uri`.

    Raises RolloutTimeoutError naming what was still missing, or RolloutError when KServe reports a
    failure waiting cannot fix.
    """
    deadline = clock() + timeout_seconds
    polls = 0
    while True:
        service = api.get(namespace, name)
        polls += 1
        if service is None:
            raise RolloutError(f"InferenceService {namespace}/{name} disappeared during its rollout")
        state = rollout_state(service, generation, knative, traffic_percent)
        if state.done and not knative:
            waiting = deployments_rolled_out(api.predictor_deployments(namespace, name), storage_uri)
            state = RolloutState(not waiting, waiting)
        if state.done:
            return service, polls
        if state.failure:
            raise RolloutError(f"InferenceService {namespace}/{name} generation {generation} failed: "
                               f"{state.failure}")
        remaining = deadline - clock()
        if remaining <= 0:
            raise RolloutTimeoutError(
                f"InferenceService {namespace}/{name} generation {generation} not rolled out after "
                f"{timeout_seconds:g}s: {state.waiting_for}")
        sleep(min(poll_interval_seconds, remaining))


def roll_out(
    api: InferenceServiceApi,
    manifest: dict[str, Any],
    *,
    timeout_seconds: float,
    poll_interval_seconds: float = 5.0,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
) -> RolloutResult:
    """Apply `manifest` and wait until the generation the write produced is ready and serving."""
    stored, created = apply(api, manifest)
    generation = int(stored.get("metadata", {}).get("generation") or 1)
    annotations = manifest["metadata"].get("annotations", {})
    knative = annotations.get(DEPLOYMENT_MODE_ANNOTATION) == "Knative"
    canary = int(manifest["spec"]["predictor"].get("canaryTrafficPercent") or 0)
    namespace, name = manifest["metadata"]["namespace"], manifest["metadata"]["name"]
    service, polls = wait_for_rollout(
        api, namespace, name, generation, knative=knative, traffic_percent=canary or 100,
        storage_uri=manifest["spec"]["predictor"]["model"]["storageUri"],
        timeout_seconds=timeout_seconds, poll_interval_seconds=poll_interval_seconds, clock=clock,
        sleep=sleep,
    )
    status = service.get("status") or {}
    predictor = (status.get("components") or {}).get("predictor") or {}
    return RolloutResult(name, namespace, generation, created,
                         predictor.get("latestReadyRevision") if knative else None,
                         status.get("url"), polls)
