"""Where model files live: the storage URI a registered version carries is the one KServe loads.

Two stores, both formats KServe's storage initializer accepts:
- `pvc://<claim>/<path>`: a PersistentVolumeClaim (the `models` volume of `local` and existing
  clusters). KServe's controller mounts the claim into the predictor and reads `<path>` there; the
  register step writes the file through its own mount of the same claim.
- `s3://<bucket>/<prefix>`: an S3 bucket (EKS; the serving account's role reads it).
A version's files sit under `<store>/<model name>/<run id>/model.joblib` (the sklearn runtime loads
the directory's `model.joblib`).
- `REGISTRY_ARTIFACTS`: the registry's own artifact store, under the run's artifact URI
  (`<run artifact uri>/model/model.joblib`). On EKS the stack's MLflow keeps artifacts at
  `s3://<bucket>/mlflow/...` without proxying them, so the version's URI is an `s3://` one under the
  prefix the serving account may read, and the compiled pipeline names no bucket.
"""

from __future__ import annotations

import re
import shutil
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

MODEL_FILE = "model.joblib"
PVC_SCHEME = "pvc://"
S3_SCHEME = "s3://"
REGISTRY_ARTIFACTS = "registry-artifacts"
"""A store URI meaning: beside the run's artifacts in the registry (must resolve to s3:// or pvc://)."""
REGISTRY_MODEL_DIR = "model"
# KServe: the controller turns `pvc://{claim}/{path}` into a volume mount of the claim; claim names
# are DNS-1123 subdomains. The default ClusterStorageContainer (storage initializer) lists `s3://`.
_DNS_1123 = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
_S3_BUCKET = re.compile(r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")


def storage_uri_problem(uri: str) -> str | None:
    """Why KServe could not load a model from `uri` (a pvc:// or s3:// URI), or None."""
    for scheme, pattern, what in ((PVC_SCHEME, _DNS_1123, "claim"), (S3_SCHEME, _S3_BUCKET, "bucket")):
        if uri.startswith(scheme):
            owner, _, path = uri.removeprefix(scheme).partition("/")
            if not pattern.match(owner) or len(owner) > 253:
                return f"{uri!r}: {owner!r} is not a valid {what} name"
            if not path.strip("/") or "//" in path or ".." in path.split("/"):
                return f"{uri!r}: needs a path inside the {what} (no empty or '..' parts)"
            return None
    scheme = uri.partition(":")[0] if ":" in uri else uri
    return f"{uri!r}: KServe loads models from pvc:// or s3:// here, not {scheme!r}"


def version_uri(store_uri: str, model_name: str, run_id: str, run_artifact_uri: str = "") -> str:
    """The folder of one model version in the store (`run_artifact_uri`: the registry run's artifact
    URI, used when `store_uri` is REGISTRY_ARTIFACTS)."""
    if store_uri == REGISTRY_ARTIFACTS:
        uri = f"{run_artifact_uri.rstrip('/')}/{REGISTRY_MODEL_DIR}"
        problem = storage_uri_problem(uri)
        if problem:
            raise ValueError(f"the registry keeps this run's artifacts at {run_artifact_uri!r}, where "
                             f"KServe cannot load a model from ({problem}); serve MLflow's artifacts "
                             "from s3:// without proxying, or use a pvc:// model store")
        return uri
    uri = f"{store_uri.rstrip('/')}/{model_name}/{run_id}"
    problem = storage_uri_problem(uri)
    if problem:
        raise ValueError(problem)
    return uri


def write_model(model_file: str, uri: str, mount_path: str | None) -> None:
    """Put `model_file` at `<uri>/model.joblib`: through the claim's mount (pvc://) or S3."""
    problem = storage_uri_problem(uri)
    if problem:
        raise ValueError(problem)
    if uri.startswith(PVC_SCHEME):
        if not mount_path:
            raise ValueError(f"{uri}: the step has no mount of the models claim")
        target = pvc_local_path(uri, mount_path)
        target.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(model_file, target / MODEL_FILE)
        return
    import boto3

    bucket, _, prefix = uri.removeprefix(S3_SCHEME).partition("/")
    boto3.client("s3").upload_file(model_file, bucket, f"{prefix.rstrip('/')}/{MODEL_FILE}")


def pvc_local_path(uri: str, mount_path: str) -> Path:
    """The folder a pvc:// URI names, where its claim is mounted at `mount_path`."""
    path = uri.removeprefix(PVC_SCHEME).partition("/")[2]
    return Path(mount_path) / path


def resolve_local(uri: str, claims: Mapping[str, Path]) -> Path:
    """The model file behind `uri` on this machine, given where each claim is mounted.

    Raises FileNotFoundError (naming the URI) for an unknown claim, a missing file or a scheme
    that has no local mount, the way the storage initializer fails the predictor.
    """
    problem = storage_uri_problem(uri)
    if problem:
        raise FileNotFoundError(problem)
    if not uri.startswith(PVC_SCHEME):
        raise FileNotFoundError(f"{uri}: only pvc:// URIs can be served locally")
    claim = uri.removeprefix(PVC_SCHEME).partition("/")[0]
    if claim not in claims:
        raise FileNotFoundError(f"{uri}: no claim {claim!r} here (known: {', '.join(claims) or 'none'})")
    path = pvc_local_path(uri, str(claims[claim])) / MODEL_FILE
    if not path.is_file():
        raise FileNotFoundError(f"{uri}: no {MODEL_FILE} in claim {claim!r}")
    return path


def read_model(uri: str, mount_path: str | None) -> Any:
    """Load the model of a version: through the claim's mount (pvc://) or downloaded from S3."""
    from pipelines.steps import model as model_lib

    if uri.startswith(PVC_SCHEME):
        if not mount_path:
            raise ValueError(f"{uri}: the step has no mount of the models claim")
        return model_lib.load_model(str(pvc_local_path(uri, mount_path) / MODEL_FILE))
    problem = storage_uri_problem(uri)
    if problem:
        raise ValueError(problem)
    import boto3

    bucket, _, prefix = uri.removeprefix(S3_SCHEME).partition("/")
    with tempfile.TemporaryDirectory() as tmp:
        local = Path(tmp) / MODEL_FILE
        boto3.client("s3").download_file(bucket, f"{prefix.rstrip('/')}/{MODEL_FILE}", str(local))
        return model_lib.load_model(str(local))
