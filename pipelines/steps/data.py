"""Datasets: resolve a dataset URI, load it, cut a time window, split, and build a golden set.

Supported URIs: `sklearn://<name>` (a dataset bundled with scikit-learn, offline), or a CSV file
(`file:///abs/path.csv` or a plain path) with a header, a `target` label column, an optional
`timestamp` column (ISO 8601, used by retraining windows) and numeric feature columns.
"""

from __future__ import annotations

import csv
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


def save_splits(table: Table, path: str, test_size: float, seed: int) -> dict[str, int]:
    """Stratified train/test split of `table`, saved as .npz at `path`; returns the sizes."""
    from sklearn.model_selection import train_test_split

    x_train, x_test, y_train, y_test = train_test_split(
        table.features, table.labels, test_size=test_size, random_state=seed,
        stratify=table.labels,
    )
    with open(path, "wb") as handle:  # np.savez would append ".npz" to a bare path
        np.savez(handle, x_train=x_train, y_train=y_train, x_test=x_test, y_test=y_test)
    return {"rows": len(table.labels), "train_rows": len(y_train), "test_rows": len(y_test),
            "features": int(table.features.shape[1]), "classes": len(np.unique(table.labels))}


def load_splits(path: str) -> dict[str, np.ndarray]:
    """Load the arrays written by `save_splits`."""
    with np.load(path, allow_pickle=False) as data:
        return {key: data[key] for key in data.files}


def write_golden_set(splits: dict[str, np.ndarray], path: str, size: int) -> int:
    """Write the first `size` test rows as JSON {instances, labels}; returns the row count."""
    count = min(size, len(splits["y_test"]))
    payload = {
        "instances": splits["x_test"][:count].tolist(),
        "labels": splits["y_test"][:count].tolist(),
    }
    Path(path).write_text(json.dumps(payload))
    return count


def read_golden_set(path: str) -> tuple[list[list[float]], list[Any]]:
    """Read a golden set written by `write_golden_set`."""
    payload = json.loads(Path(path).read_text())
    return payload["instances"], payload["labels"]


def ingest_table(table: Table, dataset_path: str, golden_path: str, test_size: float, seed: int,
                 golden_set_size: int) -> dict[str, int]:
    """Split `table` into the dataset artifact and write the golden set; returns the sizes."""
    sizes = save_splits(table, dataset_path, test_size, seed)
    sizes["golden_rows"] = write_golden_set(load_splits(dataset_path), golden_path,
                                            golden_set_size)
    return sizes
