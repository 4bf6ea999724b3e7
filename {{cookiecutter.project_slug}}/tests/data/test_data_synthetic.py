"""Synthetic data has the shape, dtypes and value grids of a real Numerai dataset version, and a
version's own names: its feature sets in proportion, its targets, benchmark columns and meta model."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from {{ cookiecutter.package_name }}.data import files
from {{ cookiecutter.package_name }}.data.synthetic import (
    MIN_SET,
    SHAPE_RECORD,
    Shape,
    ensure_synthetic,
    version_shape,
    write_dataset,
)

from conftest import CURRENT, VERSIONS

SMALL = Shape(train_eras=6, validation_eras=3, rows_per_era=40, live_rows=50, features_all=20,
              features_medium=10, features_small=5, seed=1)


@pytest.fixture(scope="module", params=sorted(VERSIONS))
def version_data(request, tmp_path_factory):
    """Each vendored version's synthetic data, few rows: (version, shape, folder)."""
    version = VERSIONS[request.param]
    shape = Shape.of(version, train_eras=6, validation_eras=4, rows_per_era=40, live_rows=30)
    return version, shape, write_dataset(tmp_path_factory.mktemp(version.name), shape)


def test_every_file_of_a_dataset_version_is_written(tmp_path):
    write_dataset(tmp_path, SMALL)
    assert sorted(path.name for path in tmp_path.iterdir()) == sorted((*files.ALL_FILES, SHAPE_RECORD))


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
    for target in SMALL.targets:
        values = train[target].dropna().unique()
        assert set(np.round(values * 4)) <= {0, 1, 2, 3, 4}, target
    assert train[SMALL.targets[-1]].isna().any(), "auxiliary targets have gaps, as real ones do"


def test_live_is_one_era_without_targets_and_benchmarks_cover_it(tmp_path):
    write_dataset(tmp_path, SMALL)
    live = pd.read_parquet(tmp_path / files.LIVE)
    assert live["era"].nunique() == 1 and len(live) == SMALL.live_rows
    assert set(live["data_type"]) == {"live"}
    assert live["target"].isna().all()
    benchmarks = pd.read_parquet(tmp_path / files.LIVE_BENCHMARKS)
    assert set(SMALL.benchmarks) <= set(benchmarks.columns)
    assert benchmarks.index.equals(live.index)


def test_feature_sets_are_nested_and_targets_listed(tmp_path):
    write_dataset(tmp_path, SMALL)
    metadata = json.loads((tmp_path / files.FEATURES_JSON).read_text())
    sets = metadata["feature_sets"]
    assert set(sets["small"]) < set(sets["medium"]) < set(sets["all"])
    assert metadata["targets"] == list(SMALL.targets)


def test_the_same_seed_writes_the_same_data(tmp_path):
    write_dataset(tmp_path / "a", SMALL)
    write_dataset(tmp_path / "b", SMALL)
    pd.testing.assert_frame_equal(pd.read_parquet(tmp_path / "a" / files.TRAIN),
                                  pd.read_parquet(tmp_path / "b" / files.TRAIN))


def test_a_versions_data_has_its_feature_sets_in_proportion_and_every_target(version_data):
    version, shape, folder = version_data
    metadata = json.loads((folder / files.FEATURES_JSON).read_text())
    sets = metadata["feature_sets"]
    assert set(sets) == set(version.feature_sets)
    assert set(sets["small"]) < set(sets["medium"]) < set(sets["all"])
    assert all(set(members) <= set(sets["all"]) for members in sets.values())
    real, scaled = version.feature_sets, {name: len(members) for name, members in sets.items()}
    # Proportional where the scaled set is above the floor that keeps the informative features in it.
    big = [name for name in real if scaled[name] > MIN_SET]
    assert "all" in big and "medium" in big
    for name in big:
        assert scaled[name] / scaled["all"] == pytest.approx(real[name] / real["all"], abs=0.02), name
    assert metadata["targets"] == list(version.targets)
    train = pd.read_parquet(folder / files.TRAIN)
    assert set(version.targets) <= set(train.columns)
    if version.alias_column:
        pd.testing.assert_series_equal(train[version.alias_column], train[version.payout_target], check_names=False)
    assert train[version.payout_target].notna().all(), "the payout target is complete on train"


def test_a_versions_data_has_its_benchmark_columns_and_meta_model(version_data):
    version, shape, folder = version_data
    for name in (files.TRAIN_BENCHMARKS, files.VALIDATION_BENCHMARKS, files.LIVE_BENCHMARKS):
        columns = set(pd.read_parquet(folder / name).columns) - {"era"}
        assert columns == set(version.benchmark_columns), name
    assert shape.meta_model == (version.meta_model_file is not None)
    if shape.meta_model:
        meta = pd.read_parquet(folder / version.meta_model_file)
        assert version.meta_model_column in meta.columns
        assert (version.meta_model_file, version.meta_model_column) == (files.META_MODEL, files.META_MODEL_COLUMN), \
            "the build scores MMC against the names data/files.py gives"


def test_numerai_shape_is_the_real_training_shape_of_a_version_scaled_in_eras():
    full = Shape.numerai(CURRENT)
    assert full.train_eras == CURRENT.train_eras
    assert abs(full.train_rows - CURRENT.train_rows) < full.train_eras
    assert (full.features_small, full.features_medium, full.features_all) == (
        CURRENT.feature_sets["small"], CURRENT.feature_sets["medium"], CURRENT.feature_sets["all"])
    assert dict(full.other_sets) == {name: size for name, size in CURRENT.feature_sets.items()
                                     if name not in ("small", "medium", "all")}
    medium = CURRENT.feature_sets["medium"]
    tenth = Shape.numerai(CURRENT, 0.1, features_all=medium)
    assert tenth.train_eras == round(full.train_eras * 0.1) and tenth.rows_per_era == full.rows_per_era
    assert tenth.features_all == tenth.features_medium == medium


def test_a_cached_dataset_of_other_names_is_written_again(tmp_path):
    shape = Shape.of(CURRENT, train_eras=4, validation_eras=2, rows_per_era=20, live_rows=10)
    folder = ensure_synthetic(tmp_path / "synthetic", SMALL)
    assert json.loads((folder / files.FEATURES_JSON).read_text())["targets"] == list(SMALL.targets)
    ensure_synthetic(folder, shape)
    assert json.loads((folder / files.FEATURES_JSON).read_text())["targets"] == list(CURRENT.targets)
    written = (folder / files.TRAIN).stat().st_mtime_ns
    ensure_synthetic(folder, shape)
    ensure_synthetic(folder, Shape.of(CURRENT))
    assert (folder / files.TRAIN).stat().st_mtime_ns == written, "the same names are reused, whatever the size"


def test_a_version_datasets_does_not_know_takes_the_current_versions_shape():
    assert version_shape(VERSIONS, CURRENT.name) == Shape.of(CURRENT)
    assert version_shape(VERSIONS, "v99.0") == Shape.of(CURRENT)
