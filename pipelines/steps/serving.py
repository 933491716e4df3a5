"""KServe: the InferenceService manifest for a model version, its validation, and applying it.

KServe 0.16 renamed the RawDeployment mode to `Standard`; we deploy in that mode (no Knative).
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pipelines.steps.rollout import RolloutResult

from pipelines.steps import model_store

GROUP = "serving.kserve.io"
VERSION = "v1beta1"
PLURAL = "inferenceservices"
DEPLOYMENT_MODE_ANNOTATION = "serving.kserve.io/deploymentMode"
PROTOCOLS = ("v1", "v2")
DEPLOYMENT_MODES = ("Standard", "Knative")
"""KServe 0.16's mode names (modules.vocabulary.KServeDeploymentMode; not imported: steps stay light)."""
CRD_DIR_ENV = "KFSTACK_CRD_DIR"
_DNS_1035 = re.compile(r"^[a-z]([-a-z0-9]*[a-z0-9])?$")


CHALLENGER_SUFFIX = "-challenger"
LOCAL_MANIFEST_SUFFIX = ".json"


def service_name(model_name: str) -> str:
    """The champion's DNS-1035 InferenceService name, derived from a registered model name."""
    name = re.sub(r"[^a-z0-9-]+", "-", model_name.lower()).strip("-")
    # KServe keeps names <= 45 chars; leave room for the challenger's suffix.
    name = re.sub(r"^[^a-z]+", "", name)[:45 - len(CHALLENGER_SUFFIX)].rstrip("-")
    if not name:
        raise ValueError(f"cannot derive an InferenceService name from {model_name!r}")
    return name


def challenger_service_name(model_name: str) -> str:
    """The InferenceService a candidate is deployed and tested in, beside the champion's."""
    return service_name(model_name) + CHALLENGER_SUFFIX


def write_local(manifest: dict[str, Any], apply_dir: str) -> Path:
    """Local runs' stand-in for applying: `<apply_dir>/<namespace>/<name>.json`, which the
    loopback endpoint serves (replacing the previous manifest of that name, as a patch would)."""
    meta = manifest["metadata"]
    path = Path(apply_dir) / meta["namespace"] / f"{meta['name']}{LOCAL_MANIFEST_SUFFIX}"
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(manifest, indent=2, sort_keys=True))
    tmp.replace(path)  # atomic: the endpoint never reads half a manifest
    return path


def inference_service(
    name: str,
    namespace: str,
    storage_uri: str,
    model_version: str,
    protocol: str,
    service_account: str | None = None,
    deployment_mode: str = "Standard",
    canary_traffic_percent: int = 0,
) -> dict[str, Any]:
    """The `serving.kserve.io/v1beta1` InferenceService serving one sklearn model version.

    `service_account`: the predictor's account (its credentials download the model); None: the
    namespace's default account. `canary_traffic_percent` (Knative mode only; 0: none) sends that share
    of traffic to the new revision while the previous one keeps the rest.
    """
    if protocol not in PROTOCOLS:
        raise ValueError(f"protocol must be one of {PROTOCOLS}, got {protocol!r}")
    if deployment_mode not in DEPLOYMENT_MODES:
        raise ValueError(f"deployment_mode must be one of {DEPLOYMENT_MODES}, got {deployment_mode!r}")
    if canary_traffic_percent and deployment_mode != "Knative":
        raise ValueError("canary rollouts need deployment_mode Knative (Standard mode has no revisions)")
    if not 0 <= canary_traffic_percent <= 99:
        raise ValueError(f"canary_traffic_percent must be 0..99, got {canary_traffic_percent}")
    predictor: dict[str, Any] = {
        "model": {
            "modelFormat": {"name": "sklearn"},
            "protocolVersion": protocol,
            "storageUri": storage_uri,
            "resources": {
                "requests": {"cpu": "100m", "memory": "256Mi"},
                "limits": {"cpu": "1", "memory": "1Gi"},
            },
        }
    }
    if service_account is not None:
        predictor["serviceAccountName"] = service_account
    if canary_traffic_percent:
        predictor["canaryTrafficPercent"] = canary_traffic_percent
    return {
        "apiVersion": f"{GROUP}/{VERSION}",
        "kind": "InferenceService",
        "metadata": {
            "name": name,
            "namespace": namespace,
            "annotations": {DEPLOYMENT_MODE_ANNOTATION: deployment_mode},
            "labels": {
                "app.kubernetes.io/managed-by": "kfstack",
                "kfstack.io/model-version": model_version,
            },
        },
        "spec": {"predictor": predictor},
    }


def promotion_stages(manifest: dict[str, Any]) -> list[dict[str, Any]]:
    """The manifests that switch the champion's service to a new version, applied in order.

    With a canary share (Knative mode) the new revision first takes that share while the previous
    one keeps the rest, and only once it is ready and serving does a second stage, without
    `canaryTrafficPercent`, give it all traffic; a new revision that never gets ready stops the
    promotion at the first stage, with the previous revision still serving the rest. Without a canary
    there is one stage.
    """
    predictor = manifest["spec"]["predictor"]
    if not predictor.get("canaryTrafficPercent"):
        return [manifest]
    full = json.loads(json.dumps(manifest))
    del full["spec"]["predictor"]["canaryTrafficPercent"]
    return [manifest, full]


def cluster_endpoint(name: str, namespace: str) -> str:
    """The in-cluster base URL of a Standard-mode InferenceService predictor."""
    return f"http://{name}-predictor.{namespace}.svc.cluster.local"


def crd_schema_path() -> Path | None:
    """The InferenceService CRD schema: $KFSTACK_CRD_DIR, else ../shared/crds beside the repo."""
    env = os.environ.get(CRD_DIR_ENV)
    base = Path(env) if env else Path(__file__).resolve().parents[3] / "shared" / "crds"
    path = base / GROUP / f"InferenceService_{VERSION}.json"
    return path if path.is_file() else None


@dataclass(frozen=True)
class Validation:
    """How a manifest was checked, and the problems found (empty = valid)."""

    method: str
    errors: tuple[str, ...]

    @property
    def ok(self) -> bool:
        return not self.errors


def validate_manifest(manifest: dict[str, Any], schema_path: Path | None) -> Validation:
    """Validate against the CRD's openAPIV3Schema, or a reduced structural check without it."""
    errors = list(_structural_errors(manifest))
    if schema_path is None:
        method = (f"reduced structural check (CRD schema not found: set {CRD_DIR_ENV} to a "
                  "folder with serving.kserve.io/InferenceService_v1beta1.json)")
        return Validation(method, tuple(errors))
    import jsonschema

    schema = json.loads(schema_path.read_text())["openAPIV3Schema"]
    validator = jsonschema.Draft202012Validator(schema)
    for error in sorted(validator.iter_errors(manifest), key=lambda e: list(e.absolute_path)):
        location = ".".join(str(p) for p in error.absolute_path) or "<root>"
        errors.append(f"{location}: {error.message}")
    return Validation(f"CRD schema {schema_path}", tuple(errors))


def _structural_errors(manifest: dict[str, Any]) -> list[str]:
    errors = []
    if manifest.get("apiVersion") != f"{GROUP}/{VERSION}":
        errors.append(f"apiVersion must be {GROUP}/{VERSION}")
    if manifest.get("kind") != "InferenceService":
        errors.append("kind must be InferenceService")
    meta = manifest.get("metadata", {})
    if not _DNS_1035.match(meta.get("name", "")) or len(meta.get("name", "")) > 45:
        errors.append(f"metadata.name {meta.get('name')!r} is not a DNS-1035 label <= 45 chars")
    if not meta.get("namespace"):
        errors.append("metadata.namespace is required")
    mode = meta.get("annotations", {}).get(DEPLOYMENT_MODE_ANNOTATION)
    if mode not in ("Standard", "Knative"):
        errors.append(f"{DEPLOYMENT_MODE_ANNOTATION} must be Standard or Knative, got {mode!r}")
    model = manifest.get("spec", {}).get("predictor", {}).get("model", {})
    if not model.get("modelFormat", {}).get("name"):
        errors.append("spec.predictor.model.modelFormat.name is required")
    if not model.get("storageUri"):
        errors.append("spec.predictor.model.storageUri is required")
    elif problem := model_store.storage_uri_problem(model["storageUri"]):
        errors.append(f"spec.predictor.model.storageUri: {problem}")
    if model.get("protocolVersion") not in PROTOCOLS:
        errors.append(f"spec.predictor.model.protocolVersion must be one of {PROTOCOLS}")
    return errors


def apply_or_validate(manifest: dict[str, Any], dry_run: bool, local_apply_dir: str,
                      timeout_seconds: int) -> dict[str, Any]:
    """Apply `manifest` and wait for it, or (dry run) validate it and, for local runs, write it to
    `local_apply_dir`; raises on an invalid manifest or a failed rollout. Returns what was done."""
    if not dry_run:
        apply_inference_service(manifest, timeout_seconds=timeout_seconds)
        return {"dry_run": False}
    check = validate_manifest(manifest, crd_schema_path())
    done: dict[str, Any] = {"dry_run": True, "validation": check.method, "errors": list(check.errors)}
    print(f"dry run: validated with {check.method}")
    if not check.ok:
        raise ValueError("invalid InferenceService: " + "; ".join(check.errors))
    if local_apply_dir:
        done["applied_locally"] = str(write_local(manifest, local_apply_dir))
    return done


def apply_inference_service(manifest: dict[str, Any], timeout_seconds: int = 600) -> RolloutResult:
    """Create or replace the InferenceService in the cluster and wait until the new generation is
    rolled out (observed, Ready, and in Knative mode its new revision ready and serving).

    Runs in-cluster (the pipeline's service account). Raises `rollout.RolloutTimeoutError` after
    `timeout_seconds`, or `rollout.RolloutError` on a failure KServe reports; the step then fails and
    nothing later in the run (promotion) happens. The logic lives in `pipelines.steps.rollout` and is
    tested there against an in-process Kubernetes API.
    """
    from kubernetes import config

    from pipelines.steps import rollout

    config.load_incluster_config()
    return rollout.roll_out(rollout.KubernetesInferenceServiceApi(), manifest,
                            timeout_seconds=timeout_seconds)
