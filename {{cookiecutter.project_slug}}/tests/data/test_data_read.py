"""Reading training data: only the columns asked for, int8 features, eras chosen before any copy."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from {{ cookiecutter.package_name }}.data.read import ParquetFeatures, read_matrix, read_training, select_eras
from {{ cookiecutter.package_name }}.data.synthetic import parquet_stream

FEATURES = [f"feature_{index}" for index in range(6)]
ERAS = [f"{era:04d}" for era in range(1, 9)]
ROWS_PER_ERA = 7


def numerai_frame(seed: int = 0, feature_type=np.int8) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    rows = len(ERAS) * ROWS_PER_ERA
    frame = pd.DataFrame(rng.integers(0, 5, size=(rows, len(FEATURES))).astype(feature_type), columns=FEATURES)
    frame.index = pd.Index([f"n{index:05d}" for index in range(rows)], name="id")
    frame.insert(0, "era", np.repeat(ERAS, ROWS_PER_ERA))
    frame["target"] = rng.integers(0, 5, rows) / 4
    frame["target_other"] = rng.integers(0, 5, rows) / 4
    return frame


@pytest.fixture
def parquet_file(tmp_path):
    """A train-like file with two eras per row group, as a real file has several eras per group."""
    frame = numerai_frame()
    path = tmp_path / "train.parquet"
    pq.write_table(pa.Table.from_pandas(frame), path, row_group_size=2 * ROWS_PER_ERA)
    return path, frame


class Recorder:
    """Records what pyarrow is asked to decode (columns and row groups) while reading."""

    def __init__(self, monkeypatch):
        self.calls = []
        original = pq.ParquetFile.iter_batches
        recorder = self

        def iter_batches(parquet, *args, **kwargs):
            recorder.calls.append({"columns": list(kwargs.get("columns") or []),
                                   "row_groups": list(kwargs.get("row_groups") or [])})
            return original(parquet, *args, **kwargs)

        monkeypatch.setattr(pq.ParquetFile, "iter_batches", iter_batches)


def test_features_come_back_as_int8_in_file_order_with_the_other_columns(parquet_file):
    path, frame = parquet_file
    matrix, rest = read_matrix(path, FEATURES[:4], ["era", "target"], index=True)
    assert matrix.dtype == np.int8 and matrix.shape == (len(frame), 4)
    np.testing.assert_array_equal(matrix, frame[FEATURES[:4]].to_numpy())
    assert list(rest.columns) == ["era", "target"]
    assert rest.index.equals(frame.index)


def test_only_the_rows_of_the_chosen_eras_are_read(parquet_file):
    path, frame = parquet_file
    eras = ["0002", "0005", "0006"]
    matrix, rest = read_matrix(path, FEATURES, ["era", "target"], eras)
    chosen = frame[frame["era"].isin(eras)]
    np.testing.assert_array_equal(matrix, chosen[FEATURES].to_numpy())
    np.testing.assert_array_equal(rest["target"].to_numpy(), chosen["target"].to_numpy())
    assert list(rest["era"].unique()) == eras


def test_row_groups_without_a_chosen_era_and_columns_not_asked_for_are_never_decoded(parquet_file, monkeypatch):
    path, _ = parquet_file
    recorder = Recorder(monkeypatch)
    # Row groups hold eras (1, 2), (3, 4), (5, 6), (7, 8): eras 3 and 4 are all in group 1.
    source, rest = read_training(path, FEATURES[:2], ["era", "target"], ["0003", "0004"])
    source.materialize()
    assert recorder.calls, "the file is read in batches"
    for call in recorder.calls:
        assert call["row_groups"] == [1]
        assert set(call["columns"]) <= {*FEATURES[:2], "era", "target"}
    assert not any("target_other" in call["columns"] or FEATURES[5] in call["columns"] for call in recorder.calls)
    assert list(rest.columns) == ["era", "target"]


def test_features_stay_unread_until_asked_and_stream_in_batches(parquet_file):
    path, frame = parquet_file
    source = ParquetFeatures.open(path, FEATURES, ["0001", "0003", "0008"], batch_rows=5)
    expected = frame[frame["era"].isin(["0001", "0003", "0008"])][FEATURES].to_numpy()
    assert source.shape == expected.shape and source.nbytes == expected.size
    blocks = list(source.batches())
    assert len(blocks) > 1 and all(block.dtype == np.int8 for block in blocks)
    np.testing.assert_array_equal(np.concatenate(blocks), expected)
    positions = np.array([0, 3, 7, 8, 20])
    np.testing.assert_array_equal(source.take(positions), expected[positions])
    np.testing.assert_array_equal(source.subset(positions).materialize(), expected[positions])
    mask = np.arange(len(expected)) % 3 == 0
    np.testing.assert_array_equal(source[mask], expected[mask])
    np.testing.assert_array_equal(np.asarray(source, dtype=np.float32), expected.astype(np.float32))


def test_wider_integer_features_are_narrowed_to_int8(tmp_path):
    frame = numerai_frame(feature_type=np.int64)
    path = tmp_path / "wide.parquet"
    frame.to_parquet(path)
    matrix, _ = read_matrix(path, FEATURES, ["era"])
    assert matrix.dtype == np.int8
    np.testing.assert_array_equal(matrix, frame[FEATURES].to_numpy())


def test_no_chosen_rows_gives_empty_results_with_the_columns(parquet_file):
    path, _ = parquet_file
    matrix, rest = read_matrix(path, FEATURES, ["era", "target"], ["9999"])
    assert matrix.shape == (0, len(FEATURES))
    assert list(rest.columns) == ["era", "target"] and rest.empty


def test_select_eras_counts_back_from_the_latest():
    eras = [f"{era:04d}" for era in range(1, 11)]
    assert select_eras(eras) == eras
    assert select_eras(eras, era_step=4) == ["0002", "0006", "0010"]
    assert select_eras(eras, era_step=2, max_eras=2) == ["0008", "0010"]


def test_parquet_stream_groups_whole_frames_into_row_groups(tmp_path):
    frame = numerai_frame()
    path = tmp_path / "stream.parquet"
    with parquet_stream(path, row_group_rows=3 * ROWS_PER_ERA) as write:
        for era in ERAS:
            write(frame[frame["era"] == era])
    parquet = pq.ParquetFile(path)
    # Three eras reach the row group size: groups of 3, 3 and the last 2 eras.
    assert [parquet.metadata.row_group(i).num_rows for i in range(parquet.num_row_groups)] == [21, 21, 14]
    pd.testing.assert_frame_equal(pd.read_parquet(path), frame)
