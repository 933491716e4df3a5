"""Content-addressed pipeline version names and the retention rule for old versions.

A version's name carries a hash of what it runs, so an unchanged pipeline keeps its name (no
diff, no API call) and a changed one gets a new name (a new version). The compiled IR does not
contain the step code that lives in the runtime image (components import `pipelines.steps`), so
callers pass that code, or the image tag, as `extra`.

Retention: a pipeline keeps its newest `keep_versions` versions; older ones are deleted, except
any version a recurring run in the namespace still references (deleting it would leave that
schedule pointing at nothing).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from pathlib import Path

from modules.kfp.client import KfpApi, list_recurring_runs, list_versions

HASH_LENGTH = 12


def _bytes(part: bytes | str) -> bytes:
    return part if isinstance(part, bytes) else part.encode("utf-8")


def version_hash(spec_text: str, extra: bytes | str | Sequence[bytes | str] = ()) -> str:
    """The full sha256 of the compiled spec plus every `extra` part (length-prefixed, in order)."""
    parts: Sequence[bytes | str] = [extra] if isinstance(extra, (bytes, str)) else extra
    digest = hashlib.sha256(b"kfstack-pipeline-version\0")
    for part in (spec_text, *parts):
        data = _bytes(part)
        digest.update(len(data).to_bytes(8, "big"))
        digest.update(data)
    return digest.hexdigest()


def version_name(pipeline: str, spec_text: str, extra: bytes | str | Sequence[bytes | str] = ()) -> str:
    """`<pipeline>-<12 hex>`: the version name for this spec and extra content.

    Same inputs → same name, byte for byte; any change to the spec or to `extra` → a new name.
    """
    return f"{pipeline}-{version_hash(spec_text, extra)[:HASH_LENGTH]}"


def files_digest(root: Path, patterns: Iterable[str] = ("**/*.py",)) -> str:
    """A sha256 over the files under `root` matching `patterns` (relative path + content, sorted).

    For `extra`: e.g. the step sources baked into the runtime image.
    """
    digest = hashlib.sha256()
    files = sorted({path for pattern in patterns for path in root.glob(pattern) if path.is_file()})
    for path in files:
        relative = path.relative_to(root).as_posix().encode("utf-8")
        content = path.read_bytes()
        for data in (relative, content):
            digest.update(len(data).to_bytes(8, "big"))
            digest.update(data)
    return digest.hexdigest()


def referenced_version_ids(api: KfpApi, pipeline_id: str) -> set[str]:
    """Ids of the versions of `pipeline_id` that recurring runs in the namespace reference."""
    referenced = set()
    for recurring_run in list_recurring_runs(api, namespace=api.connection.namespace):
        reference = recurring_run.pipeline_version_reference
        if reference is not None and reference.pipeline_id == pipeline_id and reference.pipeline_version_id:
            referenced.add(reference.pipeline_version_id)
    return referenced


def prune_versions(
    api: KfpApi, pipeline_id: str, keep_versions: int, protect: Iterable[str] = ()
) -> list[str]:
    """Delete the versions of `pipeline_id` beyond the newest `keep_versions`; their ids.

    Versions a recurring run references, and the `protect`ed ids, are kept whatever their age.
    """
    versions = list_versions(api, pipeline_id)
    surplus = versions[max(keep_versions, 1) :]
    if not surplus:
        return []
    referenced = referenced_version_ids(api, pipeline_id) | set(protect)
    deleted = []
    for version in surplus:
        if version.pipeline_version_id in referenced:
            continue
        api.delete(
            f"deleting old version {version.name!r} of pipeline {pipeline_id}",
            api.pipelines.pipeline_service_delete_pipeline_version,
            pipeline_id,
            version.pipeline_version_id,
        )
        deleted.append(version.pipeline_version_id)
    return deleted
