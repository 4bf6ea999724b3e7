"""LightGBM learns from int8 data streamed in batches exactly what it learns from a float matrix."""

from __future__ import annotations

import sys
import tracemalloc

import lightgbm
import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from {{ cookiecutter.package_name }}.data.read import ParquetFeatures
from {{ cookiecutter.package_name }}.kinds import fit_model
from {{ cookiecutter.package_name }}.modelspec.model import LightGBMModel, SklearnModel
from {{ cookiecutter.package_name }}.train import streaming
from {{ cookiecutter.package_name }}.train.estimators import (
    SAMPLE_VALUES,
    fit_lightgbm,
    lightgbm_setup,
    sample_rows,
)
from {{ cookiecutter.package_name }}.train.streaming import ArrayRows, SourceRows, column_chunks, streamed_dataset

from conftest import CURRENT


def fit_estimator(model, inputs, target, seed, features):
    """One model of any kind fitted as a build fits it (kinds.fit_model)."""
    from {{ cookiecutter.package_name }}.train.ensemble import TrainingSet

    eras = np.repeat("0001", len(target))
    return fit_model(model, TrainingSet(inputs, {"target": target}, eras, features), "target", seed)

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

    expected = Ridge(alpha=2.0).fit(inputs[known].astype(np.float64), target[known])  # streamed: exact
    np.testing.assert_allclose(fitted.coef_, expected.coef_, rtol=1e-6)


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
    small, medium, every = (CURRENT.feature_sets[name] for name in ("small", "medium", "all"))
    params, rounds = lightgbm_setup(MODEL, seed=3, columns=medium)
    assert rounds == 25 and "n_estimators" not in params
    assert params["force_col_wise"] is True
    assert params["bin_construct_sample_cnt"] == sample_rows(medium) == SAMPLE_VALUES // medium
    assert 20_000 < sample_rows(medium) < 200_000
    assert sample_rows(small) == 200_000 and sample_rows(every) == 20_000
    own = LightGBMModel(type="lightgbm", params={"subsample_for_bin": 5000, "force_row_wise": True})
    params, rounds = lightgbm_setup(own, seed=3, columns=medium)
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

    def materialize(self, *args, **kwargs):
        raise AssertionError("the whole feature matrix was read into memory")

    def __getitem__(self, index):
        raise AssertionError("rows were copied out of the file before training")


def test_a_single_layer_ensemble_streams_its_lightgbm_members(tmp_path):
    from {{ cookiecutter.package_name }}.modelspec.model import EnsembleModel
    from {{ cookiecutter.package_name }}.train.ensemble import TrainingSet

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
    node = fit_model(ensemble, TrainingSet(source, {"target": target}, eras, names), "target", seed=3)
    [layer] = node["layers"]
    assert [weight for _, weight in layer] == [2.0, 1.0]
    assert trees(layer[0][0]["estimator"]) == trees(fit_lightgbm(MODEL, inputs, target, seed=3))


def parquet_source(tmp_path, inputs, eras, name="train.parquet", row_group_size=300):
    names = [f"feature_{index}" for index in range(inputs.shape[1])]
    path = tmp_path / name
    pq.write_table(pa.table({**{n: inputs[:, index] for index, n in enumerate(names)}, "era": eras}), path,
                   row_group_size=row_group_size)
    return ParquetFeatures.open(path, names, batch_rows=128)


COLSAMPLED = LightGBMModel(type="lightgbm", params={"n_estimators": 25, "num_leaves": 7, "learning_rate": 0.2,
                                                     "colsample_bytree": 0.3, "max_depth": 4})


def test_column_chunks_start_with_one_column_and_cover_every_column_once():
    assert column_chunks(1000, 12, chunk_values=100_000) == [slice(0, 12)]
    chunks = column_chunks(1000, 12, chunk_values=5000)
    assert chunks[0] == slice(0, 1) and all(chunk.stop - chunk.start <= 5 for chunk in chunks)
    assert [index for chunk in chunks for index in range(chunk.start, chunk.stop)] == list(range(12))
    assert len(column_chunks(CURRENT.train_rows, CURRENT.feature_sets["all"])) > 40  # Numerai's all features


@pytest.mark.parametrize("chunk_values", [3000 * 5, 3000])
def test_a_dataset_built_in_column_chunks_gives_the_plain_model(chunk_values):
    inputs, target = data(columns=17)
    params, rounds = lightgbm_setup(COLSAMPLED, seed=3, columns=inputs.shape[1])
    dataset = streamed_dataset(inputs, target, params, seed=3, chunk_values=chunk_values)
    assert dataset.num_feature() == 17 and dataset.get_feature_name() == [f"Column_{i}" for i in range(17)]
    chunked = lightgbm.train(params, dataset, num_boost_round=rounds)
    assert trees(chunked) == trees(fit_lightgbm(COLSAMPLED, inputs.astype(np.float32), target, seed=3))


def test_per_feature_parameters_keep_the_dataset_in_one_piece(monkeypatch):
    inputs, target = data(columns=6)
    monkeypatch.setattr(streaming, "CHUNK_VALUES", 3000)
    model = LightGBMModel(type="lightgbm", params={**MODEL.params, "monotone_constraints": [1, 0, 0, 0, 0, -1]})
    assert trees(fit_lightgbm(model, inputs, target, seed=3)) == trees(
        fit_lightgbm(model, inputs.astype(np.float32), target, seed=3))


def resident_bytes() -> int:
    with open("/proc/self/statm") as stream:
        return int(stream.read().split()[1]) * 4096


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc/self/statm")
def test_a_chunked_dataset_takes_about_half_a_byte_a_value():
    # Five-valued features are 4-bit bins; built in one piece LightGBM keeps a byte a value.
    rows, columns = 400_000, 100
    inputs = np.random.default_rng(0).integers(0, 5, size=(rows, columns), dtype=np.int8)
    target = np.random.default_rng(1).normal(size=rows).astype(np.float32)
    params, _ = lightgbm_setup(MODEL, seed=3, columns=columns)
    params["bin_construct_sample_cnt"] = 20_000
    streaming.release_freed_memory()
    before = resident_bytes()
    dataset = streamed_dataset(inputs, target, params, seed=3, chunk_values=rows * 10)
    grown = resident_bytes() - before
    assert dataset.num_data() == rows
    assert grown < 0.75 * inputs.nbytes, f"the dataset grew resident memory by {grown:,} bytes for {inputs.nbytes:,}"


def test_a_stacked_ensemble_streams_its_layers_and_matches_the_in_memory_fit(tmp_path, monkeypatch):
    from {{ cookiecutter.package_name }}.modelspec.model import EnsembleModel
    from {{ cookiecutter.package_name }}.train import ensemble
    from {{ cookiecutter.package_name }}.train.ensemble import TrainingSet

    inputs, target = data(rows=2000, columns=8)
    eras = np.repeat([f"{era:04d}" for era in range(1, 11)], 200)
    opened = parquet_source(tmp_path, inputs, eras)
    source = NeverWhole(opened.path, opened.features, opened.groups, opened.mask, opened.rows, batch_rows=128)
    monkeypatch.setattr(ensemble, "PREDICT_BLOCK_VALUES", 8 * 300)  # blocks of a few eras
    spec = EnsembleModel.model_validate({"type": "ensemble", "members": [
        {"model": MODEL.model_dump()}, {"model": COLSAMPLED.model_dump()}],
        "layers": [{"members": [{"model": MODEL.model_dump() | {"params": {"n_estimators": 5}}}]}]})
    streamed = fit_model(spec, TrainingSet(source, {"target": target}, eras, []), "target", seed=3)
    in_memory = fit_model(spec, TrainingSet(inputs, {"target": target}, eras, []), "target", seed=3)
    assert streamed["layers"] and all(streamed["layers"]), "the fit has layers of members"
    for layer, expected in zip(streamed["layers"], in_memory["layers"], strict=True):
        for (node, _), (other, _) in zip(layer, expected, strict=True):
            assert trees(node["estimator"]) == trees(other["estimator"])


def test_era_blocks_end_on_whole_eras_and_cover_every_row(tmp_path):
    from {{ cookiecutter.package_name }}.train.ensemble import era_blocks

    inputs, _ = data(rows=2000, columns=8)
    eras = np.repeat([f"{era:04d}" for era in range(1, 11)], 200)
    source = parquet_source(tmp_path, inputs, eras)
    blocks = list(era_blocks(source, eras, block_values=8 * 450))
    assert len(blocks) > 1
    for start, block in blocks:
        stop = start + len(block)
        assert stop == len(eras) or eras[stop] != eras[stop - 1]
    np.testing.assert_array_equal(np.concatenate([block for _, block in blocks]), inputs)
    shuffled = np.array(eras[::-1].tolist()[:100] + eras.tolist()[:1900])  # an era split in two runs
    [(start, whole)] = list(era_blocks(source, shuffled, block_values=8 * 450))
    assert start == 0 and len(whole) == 2000


def test_train_and_validation_rows_stream_from_both_files_as_one(tmp_path):
    from {{ cookiecutter.package_name }}.data.read import ConcatenatedRows

    inputs, target = data(rows=2000, columns=8)
    eras = np.repeat([f"{era:04d}" for era in range(1, 11)], 200)
    train = parquet_source(tmp_path, inputs[:1200], eras[:1200])
    validation = parquet_source(tmp_path, inputs[1200:], eras[1200:], name="validation.parquet")
    both = ConcatenatedRows([NeverWhole(part.path, part.features, part.groups, part.mask, part.rows, 128)
                             for part in (train, validation)])
    assert both.shape == inputs.shape
    known = np.flatnonzero(np.arange(2000) % 7 != 0)
    np.testing.assert_array_equal(both.take(known[::50]), inputs[known[::50]])
    streamed = fit_lightgbm(COLSAMPLED, both, target[known], seed=3, rows=known)
    assert trees(streamed) == trees(fit_lightgbm(COLSAMPLED, inputs[known].astype(np.float32), target[known], seed=3))
