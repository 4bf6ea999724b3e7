"""Training one estimator: LightGBM streamed from the int8 rows, a float32 matrix for other estimators
and custom code (each model kind, kinds/, picks what it needs)."""

from __future__ import annotations

import importlib
import inspect
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from ..errors import WorkFailed, user_code_failure
from ..modelspec.model import CustomModel, LightGBMModel, SklearnModel
from ..progress import Progress

if TYPE_CHECKING:
    import lightgbm

# LightGBM's aliases for the number of trees; the scikit-learn name n_estimators is the usual one.
ROUNDS_ALIASES = ("n_estimators", "num_iterations", "num_iteration", "n_iter", "num_tree", "num_trees",
                  "num_round", "num_rounds", "nrounds", "num_boost_round", "max_iter")


# LightGBM finds bin boundaries on a sample of rows that it holds as doubles (12 bytes a value, and
# a float32 copy besides): its default 200,000 rows of a medium feature set (hundreds of features) take
# over 2 GB, for boundaries that some 30,000 rows find as surely when features take five values.
# Unless a spec sets the sample, it is
# capped at SAMPLE_VALUES values (LightGBM's default still holds for up to 125 features).
SAMPLE_VALUES = 25_000_000
LIGHTGBM_SAMPLE_ROWS, MIN_SAMPLE_ROWS = 200_000, 20_000
SAMPLE_ALIASES = ("bin_construct_sample_cnt", "subsample_for_bin")
# LightGBM otherwise tries both histogram layouts at the start of training, building a row-wise
# copy of the whole binned dataset (1 byte a value) just to time it.
LAYOUT_KEYS = ("force_col_wise", "force_row_wise")


def sample_rows(columns: int) -> int:
    """Rows of the bin sample for `columns` inputs: LightGBM's default within SAMPLE_VALUES."""
    return max(MIN_SAMPLE_ROWS, min(LIGHTGBM_SAMPLE_ROWS, SAMPLE_VALUES // max(columns, 1)))


def lightgbm_setup(model: LightGBMModel, seed: int, columns: int = 1) -> tuple[dict[str, Any], int]:
    """LightGBM's parameters (the spec's over our defaults) and the number of boosting rounds."""
    params = {"objective": "regression", "verbosity": -1, "seed": seed, **model.params}
    rounds = [params.pop(alias) for alias in ROUNDS_ALIASES if alias in params]
    if not any(key in params for key in SAMPLE_ALIASES):
        params["bin_construct_sample_cnt"] = sample_rows(columns)
    if not any(key in params for key in LAYOUT_KEYS):
        params["force_col_wise"] = True
    return params, int(rounds[0]) if rounds else 100


def fit_lightgbm(model: LightGBMModel, inputs: np.ndarray[Any, Any], target: np.ndarray[Any, Any], seed: int,
                 rows: np.ndarray[Any, Any] | None = None) -> lightgbm.Booster:
    """Train on `inputs` (only `rows` of them when given; `target` is for those rows).

    A float matrix goes to LightGBM as is; an int8 one, or a subset of rows, is streamed to it in
    float32 batches (train.streaming), so no whole float copy of the data is ever made.
    """
    import lightgbm

    params, rounds = lightgbm_setup(model, seed, inputs.shape[1])
    if rows is None and inputs.dtype in (np.float32, np.float64):
        dataset = lightgbm.Dataset(inputs, label=target, params=params, free_raw_data=True)
    else:
        from .streaming import streamed_dataset

        dataset = streamed_dataset(inputs, target, params, seed, rows)
    with Progress("train: LightGBM", rounds, "iterations") as progress:
        booster = lightgbm.train(params, dataset, num_boost_round=rounds, callbacks=[lambda _env: progress.update()])
    booster.free_dataset()
    return booster


def as_float32(inputs: Any, rows: np.ndarray[Any, Any] | None = None) -> np.ndarray[Any, Any]:
    """The float32 matrix (of `rows` only when given) scikit-learn style estimators and custom code
    are promised. Features still on disk are read straight into it, without an int8 copy first."""
    from .streaming import is_source

    if is_source(inputs):
        source = inputs if rows is None else inputs.subset(rows)
        matrix: np.ndarray[Any, Any] = source.materialize(np.float32, order="C")
        return matrix
    return np.ascontiguousarray(inputs if rows is None else inputs[rows], dtype=np.float32)


def import_object(path: str) -> Any:
    module_name, _, name = path.replace(":", ".").rpartition(".")
    return getattr(importlib.import_module(module_name), name)


def make_estimator(model: SklearnModel, seed: int) -> Any:
    """The spec's estimator, unfitted, seeded by the build's seed unless the spec sets random_state."""
    estimator_class = import_object(model.estimator)
    params = dict(model.params)
    if "random_state" in inspect.signature(estimator_class).parameters:
        params.setdefault("random_state", seed)
    return estimator_class(**params)


def fit_sklearn(model: SklearnModel, inputs: np.ndarray[Any, Any], target: np.ndarray[Any, Any], seed: int) -> Any:
    estimator = make_estimator(model, seed)
    estimator.fit(inputs, target)
    return estimator


def fit_custom(model: CustomModel, inputs: np.ndarray[Any, Any], target: np.ndarray[Any, Any], seed: int,
               features: list[str]) -> Any:
    train = import_object(model.entry_point)
    frame = pd.DataFrame(inputs, columns=features)
    try:
        fitted = train(frame, features, target, {"seed": seed, **model.params})
    except Exception as error:  # the user's code: their file and line, not "a bug" of the pipeline
        raise user_code_failure(error, f"custom entry point {model.entry_point}") from error
    if not (hasattr(fitted, "predict") or callable(fitted)):
        raise WorkFailed(
            f"custom entry point {model.entry_point} returned {type(fitted).__name__}: "
            "expected a fitted object with predict(X) or a function predict(X)"
        )
    return fitted


def known_rows(target: np.ndarray[Any, Any]) -> tuple[np.ndarray[Any, Any] | None, np.ndarray[Any, Any]]:
    """The rows that have a target (None: every row) and their targets: rows without one are left out."""
    known = ~np.isnan(target)
    rows = None if known.all() else np.flatnonzero(known)
    if rows is not None:
        target = target[rows]
    if len(target) == 0:
        raise WorkFailed("no training rows have this target: every value is missing")
    return rows, target
