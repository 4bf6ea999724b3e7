"""Fit one model definition (lightgbm, sklearn, custom) into a model tree node."""

from __future__ import annotations

import importlib
import inspect

import numpy as np
import pandas as pd

from ..errors import WorkFailed
from ..spec.model import CustomModel, LightGBMModel, SklearnModel


# LightGBM's aliases for the number of trees; the scikit-learn name n_estimators is the usual one.
ROUNDS_ALIASES = ("n_estimators", "num_iterations", "num_iteration", "n_iter", "num_tree", "num_trees",
                  "num_round", "num_rounds", "nrounds", "num_boost_round", "max_iter")


def fit_lightgbm(model: LightGBMModel, inputs: np.ndarray, target: np.ndarray, seed: int):
    import lightgbm

    params = {"objective": "regression", "verbosity": -1, "seed": seed, **model.params}
    rounds = [params.pop(alias) for alias in ROUNDS_ALIASES if alias in params]
    dataset = lightgbm.Dataset(inputs, label=target, free_raw_data=True)
    booster = lightgbm.train(params, dataset, num_boost_round=int(rounds[0]) if rounds else 100)
    booster.free_dataset()
    return booster


def import_object(path: str):
    module_name, _, name = path.replace(":", ".").rpartition(".")
    return getattr(importlib.import_module(module_name), name)


def fit_sklearn(model: SklearnModel, inputs: np.ndarray, target: np.ndarray, seed: int):
    estimator_class = import_object(model.estimator)
    params = dict(model.params)
    if "random_state" in inspect.signature(estimator_class).parameters:
        params.setdefault("random_state", seed)
    estimator = estimator_class(**params)
    estimator.fit(inputs, target)
    return estimator


def fit_custom(model: CustomModel, inputs: np.ndarray, target: np.ndarray, seed: int, features: list[str]):
    train = import_object(model.entry_point)
    frame = pd.DataFrame(inputs, columns=features)
    fitted = train(frame, features, target, {"seed": seed, **model.params})
    if not (hasattr(fitted, "predict") or callable(fitted)):
        raise WorkFailed(
            f"custom entry point {model.entry_point} returned {type(fitted).__name__}: "
            "expected a fitted object with predict(X) or a function predict(X)"
        )
    return fitted


def fit_estimator(model, inputs: np.ndarray, target: np.ndarray, seed: int, features: list[str]) -> dict:
    """A fitted `{"kind": "estimator"}` node; rows without a target are left out."""
    known = ~np.isnan(target)
    inputs, target = (inputs, target) if known.all() else (inputs[known], target[known])
    if len(target) == 0:
        raise WorkFailed("no training rows have this target: every value is missing")
    if isinstance(model, LightGBMModel):
        estimator = fit_lightgbm(model, inputs, target, seed)
    elif isinstance(model, SklearnModel):
        estimator = fit_sklearn(model, inputs, target, seed)
    elif isinstance(model, CustomModel):
        estimator = fit_custom(model, inputs, target, seed, features)
    else:
        raise TypeError(f"not an estimator definition: {type(model).__name__}")
    return {"kind": "estimator", "estimator": estimator}
