"""Scikit-learn style estimators (`type: sklearn`): any class with fit and predict, by import path.

Three ways to train one, each with its memory model:
- "linear": LinearRegression and Ridge (a scalar alpha, positive off) are solved from XᵀX and Xᵀy
  accumulated from the int8 rows (train/linear.py): the statistics, not the rows, set the peak;
- "partial_fit": an estimator with partial_fit (SGDRegressor, PassiveAggressiveRegressor,
  MLPRegressor with a stochastic solver) is fed a chunk at a time, `epochs` times;
- "float32": any other gets the whole float32 matrix (which it may copy).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from .base import FitMember, MemoryCoefficients, Peak, PeakOf, Work, linear_peak

if TYPE_CHECKING:
    from ..modelspec.model import SklearnModel
    from ..modelspec.parameters import Checker
    from ..train.ensemble import TrainingSet

# The estimators solved from their statistics, and the parameters that keep that solution exact
# (others, such as Ridge's positive or a per-target alpha, take the whole matrix).
STREAMED_LINEAR = {
    "sklearn.linear_model.LinearRegression": {"fit_intercept", "copy_X", "n_jobs", "positive"},
    "sklearn.linear_model.Ridge": {"alpha", "fit_intercept", "copy_X", "max_iter", "tol", "solver", "positive",
                                   "random_state"},
}


def imported(path: str) -> Any:
    """The class `path` names, or None when it cannot be imported (validate reports why)."""
    module_name, _, name = path.rpartition(".")
    try:
        return getattr(importlib.import_module(module_name), name, None)
    except Exception:  # noqa: BLE001 - a broken import is reported by the spec's reference check
        return None


def streams_linear(model: SklearnModel) -> bool:
    allowed = STREAMED_LINEAR.get(model.estimator)
    if allowed is None or not set(model.params) <= allowed or model.params.get("positive"):
        return False
    alpha = model.params.get("alpha", 1.0)
    return isinstance(alpha, (int, float)) and not isinstance(alpha, bool)


def has_partial_fit(model: SklearnModel) -> bool:
    """Whether the estimator, as the spec configures it, has partial_fit (MLPRegressor's depends on its solver)."""
    estimator_class = imported(model.estimator)
    if estimator_class is None or not hasattr(estimator_class, "partial_fit"):
        return False
    if model.params.get("solver") == "lbfgs":  # MLPRegressor: not stochastic (scikit-learn 1.6 still lists it)
        return False
    try:
        return hasattr(estimator_class(**model.params), "partial_fit")
    except Exception:  # noqa: BLE001 - parameters it refuses: the parameter check reports them
        return False


def route(model: SklearnModel) -> str:
    """How the estimator trains: "linear", "partial_fit" or "float32" (the whole matrix)."""
    if streams_linear(model):
        return "linear"
    return "partial_fit" if has_partial_fit(model) else "float32"


class EstimatorKind:
    name = "sklearn"

    def parameter_problems(self, model: SklearnModel, checker: Checker) -> list[tuple[str, str]]:
        from ..modelspec.parameters import estimator_parameters, sklearn_bound_problem, sklearn_constraint_problem

        estimator_class = imported(model.estimator)  # a loaded spec names only code it may import
        if estimator_class is None:
            return []  # the spec's reference check reports it
        found = checker.named(model.params, estimator_parameters(estimator_class) or set(), model.estimator)
        found += [(name, expected) for name, value in model.params.items()
                  if (expected := sklearn_constraint_problem(estimator_class, name, value)
                      or sklearn_bound_problem(name, value))]
        if model.estimator.startswith("lightgbm."):
            found += checker.ruled(model.params, checker.lightgbm_rules()[1])
        return found

    def peak(self, model: SklearnModel, rows: int, features: int, memory: MemoryCoefficients,
             peak_of: PeakOf) -> Peak:
        path = route(model)
        if path == "linear":
            return linear_peak(memory, path, features * features, rows)
        if path == "partial_fit":
            return linear_peak(memory, path, features, rows)
        return linear_peak(memory, "float32", rows * features, rows)

    def fit(self, model: SklearnModel, data: TrainingSet, target: str, seed: int, fit_member: FitMember
            ) -> dict[str, Any]:
        from ..train.estimators import as_float32, fit_sklearn, known_rows, make_estimator
        from ..train.linear import fit_linear, fit_partial

        rows, values = known_rows(data.targets[target])
        path = route(model)
        if path == "linear":
            estimator = fit_linear(make_estimator(model, seed), data.inputs, values, rows)
        elif path == "partial_fit":
            estimator = fit_partial(make_estimator(model, seed), data.inputs, values, rows, model.epochs)
        else:
            estimator = fit_sklearn(model, as_float32(data.inputs, rows), values, seed)
        return {"kind": "estimator", "estimator": estimator}

    def work(self, model: SklearnModel, rows: int, features: int) -> Work:
        return Work("float32_ns_per_value", rows * features)  # one pass over a float32 matrix, as a rule of thumb

    def modules(self, model: SklearnModel) -> set[str]:
        return {model.estimator.split(".")[0]}


KIND = EstimatorKind()
