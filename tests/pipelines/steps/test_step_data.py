import json

import numpy as np
import pytest

from pipelines.steps import data


def _csv(path, rows):
    path.write_text("timestamp,f1,f2,target\n" + "".join(
        f"{stamp},{a},{b},{label}\n" for stamp, a, b, label in rows))
    return path


def test_bundled_digits_load_offline():
    table = data.load_table("sklearn://digits")
    assert table.features.shape == (1797, 64)
    assert sorted(set(table.labels.tolist())) == list(range(10))


def test_csv_with_timestamps_loads_features_labels_and_times(tmp_path):
    path = _csv(tmp_path / "d.csv", [("2026-01-01", 1, 2, 0), ("2026-01-05T12:00:00", 3, 4, 1)])
    table = data.load_table(f"file://{path}")
    assert table.features.tolist() == [[1.0, 2.0], [3.0, 4.0]]
    assert table.labels.tolist() == [0, 1]
    assert table.timestamps is not None and table.timestamps[1].hour == 12


def test_csv_without_label_column_is_rejected(tmp_path):
    (tmp_path / "d.csv").write_text("a,b\n1,2\n")
    with pytest.raises(ValueError, match="no 'target' column"):
        data.load_table(str(tmp_path / "d.csv"))


def test_missing_file_problem_names_the_path(tmp_path):
    assert data.dataset_uri_problem(str(tmp_path / "x.csv")) == (
        f"dataset file not found: {tmp_path / 'x.csv'}")


def test_window_keeps_only_recent_rows(tmp_path):
    path = _csv(tmp_path / "d.csv", [("2026-01-01", 1, 1, 0), ("2026-03-02", 2, 2, 1),
                                     ("2026-03-20", 3, 3, 0), ("2026-04-02", 4, 4, 1)])
    window, note = data.time_window(data.load_table(str(path)), 30, "2026-03-31")
    assert window.features[:, 0].tolist() == [2.0, 3.0]
    assert "2 rows between" in note


def test_window_without_timestamps_uses_everything():
    table = data.load_table("sklearn://iris")
    window, note = data.time_window(table, 30, "")
    assert window is table
    assert "no 'timestamp' column" in note


def test_empty_window_is_an_error(tmp_path):
    path = _csv(tmp_path / "d.csv", [("2020-01-01", 1, 1, 0)])
    with pytest.raises(ValueError, match="no rows between"):
        data.time_window(data.load_table(str(path)), 7, "2026-01-01")


def test_ingest_writes_stratified_splits_and_golden_set(tmp_path):
    sizes = data.ingest_table(data.load_table("sklearn://digits"), str(tmp_path / "ds"),
                              str(tmp_path / "golden"), 0.2, 0, 50)
    assert sizes == {"rows": 1797, "train_rows": 1437, "test_rows": 360, "features": 64,
                     "classes": 10, "golden_rows": 50}
    splits = data.load_splits(str(tmp_path / "ds"))
    instances, labels = data.read_golden_set(str(tmp_path / "golden"))
    assert np.array_equal(np.array(instances), splits["x_test"][:50])
    assert labels == splits["y_test"][:50].tolist()
    assert json.loads((tmp_path / "golden").read_text())["labels"] == labels
