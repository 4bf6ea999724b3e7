"""LightGBM learns from int8 data streamed in batches exactly what it learns from a float matrix."""

from __future__ import annotations

import tracemalloc

import lightgbm
import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from {{ cookiecutter.package_name }}.data.read import ParquetFeatures
from {{ cookiecutter.package_name }}.spec.model import LightGBMModel, SklearnModel
from {{ cookiecutter.package_name }}.train.estimators import (
    fit_estimator,
    fit_lightgbm,
    lightgbm_setup,
    sample_rows,
)
from {{ cookiecutter.package_name }}.train.streaming import ArrayRows, SourceRows, streamed_dataset

MODEL = LightGBMModel(type="lightgbm", params={"n_estimators": 25, "num_leaves": 7, "learning_rate": 0.2})


def data(rows: int = 3000, columns: int = 12, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    # Numerai's features: five values, the middle one in half the rows.
    inputs = rng.choice(np.arange(5, dtype=np.int8), size=(rows, columns), p=[0.05, 0.2, 0.5, 0.2, 0.05])
    signal = (inputs[:, :4].astype(np.float32) - 2) @ np.array([1.0, -0.5, 0.3, 0.8], dtype=np.float32)
    return inputs, (signal + rng.normal(0, 1.0, rows)).astype(np.float32)


def trees(booster) -> str:
    """The model's trees, without the parameter block that records how it was trained."""
    return booster.model_to_string().split("end of trees")[0]


def test_int8_streaming_gives_the_same_model_as_a_float_matrix():
    inputs, target = data()
    streamed = fit_lightgbm(MODEL, inputs, target, seed=3)
    dense = fit_lightgbm(MODEL, inputs.astype(np.float32), target, seed=3)
    assert trees(streamed) == trees(dense)
    np.testing.assert_array_equal(streamed.predict(inputs.astype(np.float32)), dense.predict(inputs.astype(np.float32)))


def test_a_subset_of_rows_streams_without_copying_the_matrix_first():
    inputs, target = data()
    rows = np.flatnonzero(np.random.default_rng(1).random(len(target)) < 0.6)
    subset = fit_lightgbm(MODEL, inputs, target[rows], seed=3, rows=rows)
    dense = fit_lightgbm(MODEL, inputs[rows].astype(np.float32), target[rows], seed=3)
    assert trees(subset) == trees(dense)


def test_rows_without_a_target_are_left_out_for_lightgbm_and_other_estimators():
    inputs, target = data()
    target = target.copy()
    target[::5] = np.nan
    known = ~np.isnan(target)
    gbm = fit_estimator(MODEL, inputs, target, seed=3, features=[])["estimator"]
    assert trees(gbm) == trees(fit_lightgbm(MODEL, inputs[known].astype(np.float32), target[known], seed=3))
    ridge = SklearnModel(type="sklearn", estimator="sklearn.linear_model.Ridge", params={"alpha": 2.0})
    fitted = fit_estimator(ridge, inputs, target, seed=3, features=[])["estimator"]
    from sklearn.linear_model import Ridge

    expected = Ridge(alpha=2.0).fit(inputs[known].astype(np.float32), target[known])
    np.testing.assert_allclose(fitted.coef_, expected.coef_, rtol=1e-5)


def test_streaming_straight_from_the_parquet_file_gives_the_same_model(tmp_path):
    inputs, target = data(rows=2000, columns=8)
    names = [f"feature_{index}" for index in range(inputs.shape[1])]
    columns = {name: inputs[:, index] for index, name in enumerate(names)}
    columns["era"] = np.repeat([f"{era:04d}" for era in range(1, 11)], 200)
    path = tmp_path / "train.parquet"
    pq.write_table(pa.table(columns), path, row_group_size=300)
    source = ParquetFeatures.open(path, names, ["0002", "0003", "0007"], batch_rows=128)
    rows = np.flatnonzero(np.isin(columns["era"], ["0002", "0003", "0007"]))
    from_file = fit_lightgbm(MODEL, source, target[rows], seed=3)
    in_memory = fit_lightgbm(MODEL, inputs[rows], target[rows], seed=3)
    assert trees(from_file) == trees(in_memory)


def test_bins_come_from_a_sample_when_there_are_more_rows_than_it():
    inputs, target = data(rows=6000)
    params, rounds = lightgbm_setup(MODEL, seed=3, columns=inputs.shape[1])
    params["bin_construct_sample_cnt"] = 1000
    dataset = streamed_dataset(inputs, target, params, seed=3)
    booster = lightgbm.train(params, dataset, num_boost_round=rounds)
    assert booster.num_trees() == rounds and dataset.num_data() == 6000
    # Five values per feature: a sample of 1,000 rows finds the same bins as all 6,000.
    assert trees(booster) == trees(fit_lightgbm(MODEL, inputs.astype(np.float32), target, seed=3))


def test_no_whole_float_copy_is_made_while_the_dataset_is_built():
    inputs, target = data(rows=200_000, columns=20)
    params, _ = lightgbm_setup(MODEL, seed=3, columns=inputs.shape[1])
    params["bin_construct_sample_cnt"] = 20_000
    tracemalloc.start()
    try:
        streamed_dataset(inputs, target, params, seed=3).construct()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    float_copy = inputs.size * 4
    assert peak < float_copy / 4, f"traced peak {peak:,} bytes against a float32 copy of {float_copy:,}"


def test_default_parameters_bound_the_bin_sample_and_skip_the_row_wise_trial():
    params, rounds = lightgbm_setup(MODEL, seed=3, columns=705)
    assert rounds == 25 and "n_estimators" not in params
    assert params["force_col_wise"] is True
    assert params["bin_construct_sample_cnt"] == sample_rows(705) == 35_460
    assert sample_rows(42) == 200_000 and sample_rows(2376) == 20_000
    own = LightGBMModel(type="lightgbm", params={"subsample_for_bin": 5000, "force_row_wise": True})
    params, rounds = lightgbm_setup(own, seed=3, columns=705)
    assert rounds == 100
    assert params["subsample_for_bin"] == 5000 and "bin_construct_sample_cnt" not in params
    assert params["force_row_wise"] is True and "force_col_wise" not in params


def test_rows_are_served_in_order_as_float32_and_only_by_slices():
    inputs, _ = data(rows=50, columns=5)
    rows = SourceRows(ArrayRows(inputs, batch_rows=7))
    first = rows[0:20]
    assert first.dtype == np.float32 and first.flags["C_CONTIGUOUS"]
    np.testing.assert_array_equal(first, inputs[:20])
    np.testing.assert_array_equal(rows[20:50], inputs[20:])
    np.testing.assert_array_equal(rows[5:9], inputs[5:9])  # going back starts the source again
    with pytest.raises(TypeError, match="in order"):
        rows[3]


class NeverWhole(ParquetFeatures):
    """A streaming source that fails if anything asks for the whole matrix."""

    def materialize(self):
        raise AssertionError("the whole feature matrix was read into memory")

    def __getitem__(self, index):
        raise AssertionError("rows were copied out of the file before training")


def test_a_single_layer_ensemble_streams_its_lightgbm_members(tmp_path):
    from {{ cookiecutter.package_name }}.spec.model import EnsembleModel
    from {{ cookiecutter.package_name }}.train.ensemble import TrainingSet, fit_node

    inputs, target = data(rows=2000, columns=8)
    names = [f"feature_{index}" for index in range(inputs.shape[1])]
    eras = np.repeat([f"{era:04d}" for era in range(1, 11)], 200)
    path = tmp_path / "train.parquet"
    pq.write_table(pa.table({**{name: inputs[:, index] for index, name in enumerate(names)}, "era": eras}), path,
                   row_group_size=300)
    opened = ParquetFeatures.open(path, names)
    source = NeverWhole(opened.path, opened.features, opened.groups, opened.mask, opened.rows)
    ensemble = EnsembleModel.model_validate({"type": "ensemble", "members": [
        {"model": MODEL.model_dump(), "weight": 2}, {"model": MODEL.model_dump() | {"params": {"n_estimators": 5}}}]})
    node = fit_node(ensemble, TrainingSet(source, {"target": target}, eras, names), "target", seed=3)
    [layer] = node["layers"]
    assert [weight for _, weight in layer] == [2.0, 1.0]
    assert trees(layer[0][0]["estimator"]) == trees(fit_lightgbm(MODEL, inputs, target, seed=3))
