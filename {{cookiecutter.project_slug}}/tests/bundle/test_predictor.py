"""The code inside the pickle: feature order, benchmark alignment, per-era ranks, ensembles."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from {{ cookiecutter.package_name }}.bundle import predictor
from {{ cookiecutter.package_name }}.bundle.predictor import make_predict, predict_frame


def first_input(inputs):
    return inputs[:, 0]


def last_input(inputs):
    return inputs[:, -1]


def live_frame(rows_per_era=(5, 7), features=("feature_a", "feature_b", "feature_c"), seed=0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    blocks = []
    for number, rows in enumerate(rows_per_era):
        block = pd.DataFrame(rng.integers(0, 5, size=(rows, len(features)), dtype=np.int8), columns=list(features))
        block.insert(0, "era", f"{number + 1:04d}")
        blocks.append(block)
    frame = pd.concat(blocks)
    frame.index = pd.Index([f"n{index:04d}" for index in range(len(frame))], name="id")
    frame["data_type"] = "live"
    return frame


def bundle(estimator, features=("feature_a", "feature_b", "feature_c"), benchmarks=(), rank=True) -> dict:
    return {"features": list(features), "benchmark_inputs": list(benchmarks), "rank_per_era": rank,
            "model": {"kind": "estimator", "estimator": estimator}}


def test_output_is_one_prediction_column_on_the_live_index():
    live = live_frame()
    result = make_predict(bundle(first_input))(live, None)
    assert type(result) is pd.DataFrame
    assert list(result.columns) == ["prediction"]
    assert result.index.equals(live.index)
    assert result["prediction"].between(0, 1).all()


def test_predictions_are_ranked_within_each_era():
    live = live_frame(rows_per_era=(4, 6))
    result = predict_frame(bundle(first_input), live, None)["prediction"]
    expected = live.groupby("era")["feature_a"].rank(pct=True)
    np.testing.assert_allclose(result.to_numpy(), expected.to_numpy())
    # Ranked within each era, not across the whole frame.
    assert not np.allclose(result.to_numpy(), live["feature_a"].rank(pct=True).to_numpy())


def test_without_ranking_raw_values_are_clipped_into_the_unit_interval():
    live = live_frame()
    result = predict_frame(bundle(lambda inputs: inputs[:, 0] - 1.5, rank=False), live, None)["prediction"]
    np.testing.assert_allclose(result.to_numpy(), np.clip(live["feature_a"].to_numpy() - 1.5, 0, 1))


def test_features_are_taken_in_training_order_whatever_the_live_column_order():
    live = live_frame()
    shuffled = live[["feature_c", "data_type", "feature_a", "era", "feature_b"]].assign(feature_extra=9)
    model = bundle(first_input, features=("feature_b", "feature_a"), rank=False)
    expected = predict_frame(model, live, None)
    result = predict_frame(model, shuffled, None)
    pd.testing.assert_frame_equal(result, expected)
    np.testing.assert_allclose(result["prediction"], np.clip(live["feature_b"], 0, 1))


def test_a_missing_feature_is_named():
    live = live_frame().drop(columns=["feature_b"])
    with pytest.raises(KeyError, match="feature_b"):
        predict_frame(bundle(first_input), live, None)


def test_benchmark_columns_are_aligned_to_the_live_ids():
    live = live_frame()
    benchmarks = pd.DataFrame({"bench_one": np.linspace(0.05, 0.95, len(live))}, index=live.index)
    benchmarks["era"] = live["era"]
    # As read from the file: another row order, an id live does not have, and one live id missing.
    scrambled = benchmarks.sample(frac=1.0, random_state=3).drop(index=live.index[2])
    scrambled.loc["n_not_live"] = [0.5, "0001"]
    model = bundle(last_input, benchmarks=("bench_one",), rank=False)
    result = predict_frame(model, live, scrambled)["prediction"]
    expected = benchmarks["bench_one"].copy()
    expected.iloc[2] = 0.5  # the neutral value for a missing benchmark
    np.testing.assert_allclose(result.to_numpy(), expected.to_numpy(), rtol=1e-6)


def test_ensemble_blends_member_ranks_with_normalised_weights():
    live = live_frame(rows_per_era=(8,))
    members = [({"kind": "estimator", "estimator": first_input}, 3.0),
               ({"kind": "estimator", "estimator": last_input}, 1.0)]
    model = {"features": ["feature_a", "feature_b", "feature_c"], "benchmark_inputs": [], "rank_per_era": False,
             "model": {"kind": "ensemble", "layers": [members]}}
    result = predict_frame(model, live, None)["prediction"].to_numpy()
    expected = 0.75 * live["feature_a"].rank(pct=True) + 0.25 * live["feature_c"].rank(pct=True)
    np.testing.assert_allclose(result, expected.to_numpy())


def test_stacked_layer_reads_the_previous_layers_ranks():
    live = live_frame(rows_per_era=(6,))
    first_layer = [({"kind": "estimator", "estimator": first_input}, 1.0),
                   ({"kind": "estimator", "estimator": last_input}, 1.0)]
    second_layer = [({"kind": "estimator", "estimator": last_input}, 1.0)]  # picks member two's ranks
    model = {"features": ["feature_a", "feature_b", "feature_c"], "benchmark_inputs": [], "rank_per_era": False,
             "model": {"kind": "ensemble", "layers": [first_layer, second_layer]}}
    result = predict_frame(model, live, None)["prediction"].to_numpy()
    np.testing.assert_allclose(result, live["feature_c"].rank(pct=True).rank(pct=True).to_numpy())


def test_the_predictor_imports_only_what_every_numerai_predict_image_has():
    tree = ast.parse(Path(predictor.__file__).read_text())
    imported = {alias.name.split(".")[0] for node in ast.walk(tree) if isinstance(node, ast.Import)
                for alias in node.names}
    imported |= {node.module.split(".")[0] for node in ast.walk(tree)
                 if isinstance(node, ast.ImportFrom) and node.module}
    assert all(name in sys.stdlib_module_names or name in {"numpy", "pandas"} for name in imported), imported
