"""Linear models fitted from streamed statistics equal scikit-learn's whole-matrix fit; partial_fit
estimators are fed in chunks; a model of any kind leaves out rows without a target."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.linear_model import LinearRegression, Ridge, SGDRegressor

from {{ cookiecutter.package_name }}.data.read import ParquetFeatures
from {{ cookiecutter.package_name }}.kinds import fit_model
from {{ cookiecutter.package_name }}.kinds.estimator import route
from {{ cookiecutter.package_name }}.modelspec.model import SklearnModel
from {{ cookiecutter.package_name }}.train import linear
from {{ cookiecutter.package_name }}.train.ensemble import TrainingSet


def numerai_like(rows: int, columns: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """int8 features in 0..4 (Numerai's values) and a target in [0, 1] that depends on them."""
    rng = np.random.default_rng(seed)
    inputs = rng.integers(0, 5, size=(rows, columns), dtype=np.int8)
    weights = rng.normal(size=columns)
    target = 0.5 + 0.05 * (inputs - 2) @ weights / np.sqrt(columns) + rng.normal(0, 0.1, rows)
    return inputs, np.clip(np.round(target * 4) / 4, 0, 1)


def relative(found: np.ndarray, expected: np.ndarray) -> float:
    return float(np.linalg.norm(np.asarray(found) - expected) / max(np.linalg.norm(expected), 1e-300))


def sklearn_model(estimator: str, **params) -> SklearnModel:
    return SklearnModel(type="sklearn", estimator=f"sklearn.linear_model.{estimator}", params=params)


def fitted(model: SklearnModel, inputs, target: np.ndarray):
    eras = np.repeat("0001", len(target))
    return fit_model(model, TrainingSet(inputs, {"target": target}, eras, []), "target", seed=1)["estimator"]


@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize(("estimator", "params"), [("Ridge", {"alpha": 3.0}), ("LinearRegression", {})])
def test_a_streamed_linear_model_equals_scikit_learns_whole_matrix_fit(estimator, params, fit_intercept):
    inputs, target = numerai_like(5000, 40, seed=3)
    target[::7] = np.nan  # rows without a target are left out, as for every model
    model = sklearn_model(estimator, fit_intercept=fit_intercept, **params)
    assert route(model) == "linear"
    found = fitted(model, inputs, target)
    known = ~np.isnan(target)
    expected = {"Ridge": Ridge, "LinearRegression": LinearRegression}[estimator](
        fit_intercept=fit_intercept, **params).fit(inputs[known].astype(np.float64), target[known])
    assert type(found) is type(expected)
    assert relative(found.coef_, expected.coef_) <= 1e-6
    assert found.intercept_ == pytest.approx(expected.intercept_, rel=1e-6, abs=1e-12)
    assert found.n_features_in_ == expected.n_features_in_ == 40
    assert not hasattr(found, "feature_names_in_") and not hasattr(expected, "feature_names_in_")
    probe = inputs[:100].astype(np.float32)
    np.testing.assert_allclose(found.predict(probe), expected.predict(probe), rtol=1e-6, atol=1e-9)


@settings(max_examples=25, deadline=None)
@given(rows=st.integers(2, 400), columns=st.integers(1, 12), alpha=st.floats(1e-3, 1e3),
       fit_intercept=st.booleans(), chunk=st.integers(1, 500), seed=st.integers(0, 2**16))
def test_the_streamed_ridge_does_not_depend_on_the_chunks(rows, columns, alpha, fit_intercept, chunk, seed):
    inputs, target = numerai_like(rows, columns, seed)
    statistics = linear.accumulate(inputs, target, chunk_values=chunk)
    coef = linear.solve(*statistics.system(fit_intercept), alpha)
    expected = Ridge(alpha=alpha, fit_intercept=fit_intercept).fit(inputs.astype(np.float64), target)
    assert relative(coef, expected.coef_) <= 1e-6
    intercept = statistics.intercept(coef) if fit_intercept else 0.0
    assert intercept == pytest.approx(expected.intercept_, rel=1e-6, abs=1e-9)


def test_a_ridge_streams_straight_from_the_parquet_file(tmp_path):
    """Features on disk stay there: the statistics are read a batch at a time, a subset of rows included."""
    inputs, target = numerai_like(3000, 16, seed=5)
    names = [f"feature_{index}" for index in range(inputs.shape[1])]
    path = tmp_path / "train.parquet"
    pq.write_table(pa.table({name: inputs[:, index] for index, name in enumerate(names)}), path, row_group_size=700)
    source = ParquetFeatures.open(path, names)
    target[100:400] = np.nan
    found = fitted(sklearn_model("Ridge", alpha=0.5), source, target)
    known = ~np.isnan(target)
    expected = Ridge(alpha=0.5).fit(inputs[known].astype(np.float64), target[known])
    assert relative(found.coef_, expected.coef_) <= 1e-6


def test_an_estimator_with_partial_fit_is_fed_in_chunks_for_its_epochs(monkeypatch):
    inputs, target = numerai_like(2000, 10, seed=7)
    target[::3] = np.nan
    monkeypatch.setattr(linear, "CHUNK_VALUES", 500 * 10)  # four chunks a pass
    calls: list[int] = []
    original = SGDRegressor.partial_fit

    def counted(self, X, y, *args, **kwargs):
        assert X.dtype == np.float32 and not np.isnan(y).any()
        calls.append(len(X))
        return original(self, X, y, *args, **kwargs)

    monkeypatch.setattr(SGDRegressor, "partial_fit", counted)
    model = SklearnModel(type="sklearn", estimator="sklearn.linear_model.SGDRegressor", params={"alpha": 1e-4},
                         epochs=3)
    assert route(model) == "partial_fit"
    found = fitted(model, inputs, target)
    known = int((~np.isnan(target)).sum())
    assert sum(calls) == 3 * known and max(calls) <= 500
    assert isinstance(found, SGDRegressor) and found.coef_.shape == (10,)


def test_a_ridge_that_needs_the_whole_matrix_gets_it():
    assert route(sklearn_model("Ridge", positive=True)) == "float32"
    assert route(sklearn_model("Ridge", alpha=[1.0])) == "float32"
    assert route(SklearnModel(type="sklearn", estimator="sklearn.ensemble.RandomForestRegressor")) == "float32"
