"""Synthetic data has the shape, dtypes and value grids of a real Numerai dataset version."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd

from {{ cookiecutter.package_name }}.data import files
from {{ cookiecutter.package_name }}.data.synthetic import BENCHMARKS, TARGETS, Shape, write_dataset

SMALL = Shape(train_eras=6, validation_eras=3, rows_per_era=40, live_rows=50, features_all=20,
              features_medium=10, features_small=5, seed=1)


def test_every_file_of_a_dataset_version_is_written(tmp_path):
    write_dataset(tmp_path, SMALL)
    assert sorted(path.name for path in tmp_path.iterdir()) == sorted(files.ALL_FILES)


def test_columns_dtypes_and_value_grids_match_numerai(tmp_path):
    write_dataset(tmp_path, SMALL)
    train = pd.read_parquet(tmp_path / files.TRAIN)
    assert train.index.name == "id" and train.index.is_unique
    features = [column for column in train.columns if column.startswith("feature_")]
    assert len(features) == SMALL.features_all
    assert all(train[column].dtype == np.int8 for column in features)
    assert train[features].min().min() == 0 and train[features].max().max() == 4
    assert set(train["data_type"]) == {"train"}
    assert train["era"].nunique() == SMALL.train_eras
    for target in TARGETS:
        values = train[target].dropna().unique()
        assert set(np.round(values * 4)) <= {0, 1, 2, 3, 4}, target
    assert train[TARGETS[-1]].isna().any(), "auxiliary targets have gaps, as real ones do"


def test_live_is_one_era_without_targets_and_benchmarks_cover_it(tmp_path):
    write_dataset(tmp_path, SMALL)
    live = pd.read_parquet(tmp_path / files.LIVE)
    assert live["era"].nunique() == 1 and len(live) == SMALL.live_rows
    assert set(live["data_type"]) == {"live"}
    assert live["target"].isna().all()
    benchmarks = pd.read_parquet(tmp_path / files.LIVE_BENCHMARKS)
    assert set(BENCHMARKS) <= set(benchmarks.columns)
    assert benchmarks.index.equals(live.index)


def test_feature_sets_are_nested_and_targets_listed(tmp_path):
    write_dataset(tmp_path, SMALL)
    metadata = json.loads((tmp_path / files.FEATURES_JSON).read_text())
    sets = metadata["feature_sets"]
    assert set(sets["small"]) < set(sets["medium"]) < set(sets["all"])
    assert metadata["targets"] == list(TARGETS)


def test_the_same_seed_writes_the_same_data(tmp_path):
    write_dataset(tmp_path / "a", SMALL)
    write_dataset(tmp_path / "b", SMALL)
    pd.testing.assert_frame_equal(pd.read_parquet(tmp_path / "a" / files.TRAIN),
                                  pd.read_parquet(tmp_path / "b" / files.TRAIN))
