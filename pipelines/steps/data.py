"""Datasets: resolve a URI, load it, cut a time window, split by row content, version it.

Supported URIs: `sklearn://<name>` (a dataset bundled with scikit-learn, offline), or a CSV file
(`file:///abs/path.csv` or a plain path) with a header, a `target` label column, an optional
`timestamp` column (ISO 8601, used by retraining windows) and numeric feature columns.
"""

from __future__ import annotations

import csv
import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np

BUNDLED = ("digits", "iris", "wine", "breast_cancer")
LABEL_COLUMN = "target"
TIME_COLUMN = "timestamp"


@dataclass(frozen=True)
class Table:
    """Features, labels and optional per-row timestamps (UTC)."""

    features: np.ndarray
    labels: np.ndarray
    timestamps: list[datetime] | None = None


def dataset_uri_problem(uri: str) -> str | None:
    """Return why `uri` cannot be loaded, or None if it looks loadable (cheap, no data read)."""
    if uri.startswith("sklearn://"):
        name = uri.removeprefix("sklearn://")
        if name not in BUNDLED:
            return f"unknown bundled dataset {name!r}; known: {', '.join(BUNDLED)}"
        return None
    if "://" in uri and not uri.startswith("file://"):
        return f"unsupported dataset URI scheme in {uri!r}; use sklearn://NAME or a CSV path"
    path = local_path(uri)
    if not path.is_file():
        return f"dataset file not found: {path}"
    if path.suffix.lower() != ".csv":
        return f"dataset file must be a .csv file: {path}"
    return None


def local_path(uri: str) -> Path:
    """The filesystem path of a `file://` URI or plain path."""
    return Path(uri.removeprefix("file://"))


def load_table(uri: str) -> Table:
    """Load the dataset behind `uri`."""
    problem = dataset_uri_problem(uri)
    if problem:
        raise ValueError(problem)
    if uri.startswith("sklearn://"):
        from sklearn import datasets

        loader = getattr(datasets, f"load_{uri.removeprefix('sklearn://')}")
        features, labels = loader(return_X_y=True)
        return Table(np.asarray(features, dtype=np.float64), np.asarray(labels))
    return _load_csv(local_path(uri))


def _load_csv(path: Path) -> Table:
    with path.open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    if not rows:
        raise ValueError(f"dataset {path} has no rows")
    columns = list(rows[0])
    if LABEL_COLUMN not in columns:
        raise ValueError(f"dataset {path} has no {LABEL_COLUMN!r} column (columns: {columns})")
    feature_columns = [c for c in columns if c not in (LABEL_COLUMN, TIME_COLUMN)]
    features = np.array([[float(r[c]) for c in feature_columns] for r in rows])
    labels = np.array([r[LABEL_COLUMN] for r in rows])
    if all(_is_int(v) for v in labels):
        labels = labels.astype(np.int64)
    stamps = [_parse_time(r[TIME_COLUMN]) for r in rows] if TIME_COLUMN in columns else None
    return Table(features, labels, stamps)


def _is_int(value: Any) -> bool:
    try:
        int(value)
    except ValueError:
        return False
    return True


def _parse_time(value: str) -> datetime:
    stamp = datetime.fromisoformat(value)
    return stamp if stamp.tzinfo else stamp.replace(tzinfo=UTC)


def time_window(table: Table, window_days: int, window_end: str) -> tuple[Table, str]:
    """Keep the rows of the last `window_days` days before `window_end` (ISO; empty = now).

    Returns the table and a note for the log. Without timestamps the whole table is kept.
    """
    if window_days <= 0:
        return table, "window_days <= 0: using all rows"
    if table.timestamps is None:
        return table, f"no {TIME_COLUMN!r} column: using all {len(table.labels)} rows"
    end = _parse_time(window_end) if window_end else datetime.now(UTC)
    start = end - timedelta(days=window_days)
    keep = np.array([start < t <= end for t in table.timestamps])
    if not keep.any():
        raise ValueError(f"no rows between {start.isoformat()} and {end.isoformat()}")
    stamps = [t for t, k in zip(table.timestamps, keep, strict=True) if k]
    window = Table(table.features[keep], table.labels[keep], stamps)
    return window, f"{int(keep.sum())} rows between {start.isoformat()} and {end.isoformat()}"


def row_buckets(table: Table) -> np.ndarray:
    """Each row's place in [0, 1), from a hash of its features and label (not of its position).

    The split is a function of the row's content: a row lands in the same split in every run,
    whatever the seed, the window or the other rows, so a model never trains on rows that
    another run evaluates on (identical rows share a bucket).
    """
    features = np.ascontiguousarray(table.features, dtype=np.float64)
    buckets = np.empty(len(table.labels), dtype=np.float64)
    for index, (row, label) in enumerate(zip(features, table.labels, strict=True)):
        digest = hashlib.sha256(row.tobytes() + b"|" + str(label).encode()).digest()
        buckets[index] = int.from_bytes(digest[:8], "big") / 2**64
    return buckets


def dataset_version(table: Table) -> str:
    """A content hash of the rows (order-independent): the dataset version recorded with models."""
    features = np.ascontiguousarray(table.features, dtype=np.float64)
    rows = sorted(hashlib.sha256(row.tobytes() + b"|" + str(label).encode()).digest()
                  for row, label in zip(features, table.labels, strict=True))
    return "sha256:" + hashlib.sha256(b"".join(rows)).hexdigest()


def source_fingerprint(uri: str) -> str:
    """A cheap version of the data behind `uri`: the file's content hash, or for a dataset
    bundled with scikit-learn its name and scikit-learn's version (the data ships in the package).

    Ingest takes it as an input so its cache key changes when the data does.
    """
    problem = dataset_uri_problem(uri)
    if problem:
        raise ValueError(problem)
    if uri.startswith("sklearn://"):
        from importlib.metadata import version

        return f"{uri}@scikit-learn=={version('scikit-learn')}"
    digest = hashlib.sha256()
    with local_path(uri).open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return "sha256:" + digest.hexdigest()


def save_splits(table: Table, path: str, golden_path: str, test_size: float,
                golden_set_size: int) -> dict[str, Any]:
    """Split `table` by row bucket into evaluation, golden and training rows; save them.

    Evaluation: buckets below `test_size`. Golden set (the endpoint test): the `golden_set_size`
    rows with the highest buckets. Training: the rest, buckets in [train_bucket_low,
    train_bucket_high). The .npz at `path` keeps the evaluation rows' buckets so a comparison
    can leave out rows another model trained on. Returns the sizes and the training range.
    """
    buckets = row_buckets(table)
    evaluation = buckets < test_size
    rest = np.flatnonzero(~evaluation)
    by_bucket = rest[np.argsort(buckets[rest], kind="stable")]
    golden_count = min(golden_set_size, max(len(by_bucket) - 1, 0))
    golden = by_bucket[len(by_bucket) - golden_count:]
    train = by_bucket[:len(by_bucket) - golden_count]
    if not evaluation.any() or len(train) == 0:
        raise ValueError(f"{len(table.labels)} rows are too few for test_size={test_size} and "
                         f"golden_set_size={golden_set_size}")
    train_high = float(buckets[golden].min()) if golden_count else 1.0
    with open(path, "wb") as handle:  # np.savez would append ".npz" to a bare path
        np.savez(handle, x_train=table.features[train], y_train=table.labels[train],
                 x_test=table.features[evaluation], y_test=table.labels[evaluation],
                 bucket_test=buckets[evaluation])
    Path(golden_path).write_text(json.dumps({
        "instances": table.features[golden].tolist(), "labels": table.labels[golden].tolist()}))
    return {"rows": len(table.labels), "train_rows": len(train),
            "test_rows": int(evaluation.sum()), "golden_rows": int(golden_count),
            "features": int(table.features.shape[1]), "classes": len(np.unique(table.labels)),
            "train_bucket_low": float(test_size), "train_bucket_high": train_high}


def load_splits(path: str) -> dict[str, np.ndarray]:
    """Load the arrays written by `save_splits`."""
    with np.load(path, allow_pickle=False) as data:
        return {key: data[key] for key in data.files}


def read_golden_set(path: str) -> tuple[list[list[float]], list[Any]]:
    """Read the golden set written by `save_splits`."""
    payload = json.loads(Path(path).read_text())
    return payload["instances"], payload["labels"]


def ingest_table(table: Table, dataset_path: str, golden_path: str, test_size: float,
                 golden_set_size: int) -> dict[str, Any]:
    """Split `table` into the dataset artifact and the golden set; sizes, range and version."""
    sizes = save_splits(table, dataset_path, golden_path, test_size, golden_set_size)
    return {**sizes, "dataset_version": dataset_version(table)}
