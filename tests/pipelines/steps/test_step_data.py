
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


def test_ingest_splits_evaluation_golden_and_training_rows_apart(tmp_path):
    table = data.load_table("sklearn://digits")
    sizes = data.ingest_table(table, str(tmp_path / "ds"), str(tmp_path / "golden"), 0.2, 50)
    assert sizes["rows"] == 1797 and sizes["golden_rows"] == 50
    assert sizes["train_rows"] + sizes["test_rows"] + 50 == 1797
    assert 0.15 < sizes["test_rows"] / 1797 < 0.25
    assert sizes["dataset_version"] == data.dataset_version(table)
    splits = data.load_splits(str(tmp_path / "ds"))
    instances, labels = data.read_golden_set(str(tmp_path / "golden"))
    rows = {tuple(r) for r in splits["x_train"].tolist()}, {tuple(r) for r in splits["x_test"].tolist()}
    golden = {tuple(r) for r in instances}
    assert not golden & rows[1], "the golden set must not overlap the evaluation set"
    assert len(labels) == 50
    assert (splits["bucket_test"] < 0.2).all()
    low, high = sizes["train_bucket_low"], sizes["train_bucket_high"]
    train_buckets = data.row_buckets(data.Table(splits["x_train"], splits["y_train"]))
    assert ((train_buckets >= low) & (train_buckets < high)).all()


def test_a_row_lands_in_the_same_split_whatever_the_other_rows(tmp_path):
    table = data.load_table("sklearn://iris")
    half = data.Table(table.features[::2], table.labels[::2])
    data.save_splits(table, str(tmp_path / "all"), str(tmp_path / "g1"), 0.3, 5)
    data.save_splits(half, str(tmp_path / "half"), str(tmp_path / "g2"), 0.3, 5)
    evaluated = {tuple(r) for r in data.load_splits(str(tmp_path / "all"))["x_test"].tolist()}
    trained_half = {tuple(r) for r in data.load_splits(str(tmp_path / "half"))["x_train"].tolist()}
    assert not evaluated & trained_half


def test_dataset_version_follows_content_not_order():
    table = data.load_table("sklearn://wine")
    shuffled = data.Table(table.features[::-1], table.labels[::-1])
    changed = data.Table(table.features.copy(), table.labels.copy())
    changed.features[0, 0] += 1
    assert data.dataset_version(shuffled) == data.dataset_version(table)
    assert data.dataset_version(changed) != data.dataset_version(table)


def test_source_fingerprint_changes_with_the_file(tmp_path):
    path = _csv(tmp_path / "d.csv", [("2026-01-01", 1, 2, 0)])
    before = data.source_fingerprint(str(path))
    _csv(path, [("2026-01-01", 1, 3, 0)])
    assert data.source_fingerprint(str(path)) != before
    assert data.source_fingerprint("sklearn://digits").startswith("sklearn://digits@scikit-learn==")
