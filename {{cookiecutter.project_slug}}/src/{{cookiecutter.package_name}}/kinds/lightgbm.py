"""LightGBM (`type: lightgbm`): parameters against LightGBM's own lists and documented rules, trained
from the int8 rows in column chunks (train/streaming.py), half a byte a value at its peak."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .base import FitMember, MemoryCoefficients, Peak, PeakOf, Work, linear_peak

if TYPE_CHECKING:
    from ..modelspec.model import Definition, LightGBMModel
    from ..modelspec.parameters import Checker
    from ..train.ensemble import TrainingSet


# LightGBM's names of the number of rounds (train.estimators.ROUNDS_ALIASES, and scikit-learn's max_iter)
# and of the share of features each tree sees: what its training costs.
ROUNDS_KEYS = ("n_estimators", "num_iterations", "num_iteration", "n_iter", "num_tree", "num_trees",
               "num_round", "num_rounds", "nrounds", "num_boost_round", "max_iter")
FRACTION_KEYS = ("feature_fraction", "colsample_bytree", "sub_feature")
DEFAULT_ROUNDS = 100


class LightGBMKind:
    name = "lightgbm"

    def parameter_problems(self, model: LightGBMModel, checker: Checker) -> list[tuple[str, str]]:
        known, rules = checker.lightgbm_rules()
        return checker.named(model.params, known, "LightGBM") + checker.ruled(model.params, rules)

    def peak(self, model: Definition, rows: int, features: int, memory: MemoryCoefficients,
             peak_of: PeakOf) -> Peak:
        return linear_peak(memory, "lightgbm", rows * features, rows)

    def fit(self, model: LightGBMModel, data: TrainingSet, target: str, seed: int, fit_member: FitMember
            ) -> dict[str, Any]:
        from ..train.estimators import fit_lightgbm, known_rows

        rows, values = known_rows(data.targets[target])
        return {"kind": "estimator", "estimator": fit_lightgbm(model, data.inputs, values, seed, rows)}

    def work(self, model: LightGBMModel, rows: int, features: int) -> Work:
        rounds = next((float(model.params[key]) for key in ROUNDS_KEYS if key in model.params), DEFAULT_ROUNDS)
        fraction = next((float(model.params[key]) for key in FRACTION_KEYS if key in model.params), 1.0)
        return Work("lightgbm_ns_per_value_round", rows * features * rounds * fraction)

    def modules(self, model: Definition) -> set[str]:
        return {"lightgbm"}


KIND = LightGBMKind()
