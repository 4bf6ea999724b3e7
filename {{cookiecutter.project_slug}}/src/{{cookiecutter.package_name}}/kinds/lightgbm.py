"""LightGBM (`type: lightgbm`): parameters against LightGBM's own lists and documented rules, trained
from the int8 rows in column chunks (train/streaming.py), half a byte a value at its peak."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .base import FitMember, MemoryCoefficients, Peak, PeakOf, linear_peak

if TYPE_CHECKING:
    from ..modelspec.model import Definition, LightGBMModel
    from ..modelspec.parameters import Checker
    from ..train.ensemble import TrainingSet


class LightGBMKind:
    name = "lightgbm"

    def parameter_problems(self, model: LightGBMModel, checker: Checker) -> list[tuple[str, str]]:
        known, rules = checker.lightgbm_rules()
        return checker.named(model.params, known, "LightGBM") + checker.ruled(model.params, rules)

    def peak(self, model: Definition, rows: int, features: int, memory: MemoryCoefficients,
             peak_of: PeakOf) -> Peak:
        return linear_peak(memory, "lightgbm", rows * features)

    def fit(self, model: LightGBMModel, data: TrainingSet, target: str, seed: int, fit_member: FitMember
            ) -> dict[str, Any]:
        from ..train.estimators import fit_lightgbm, known_rows

        rows, values = known_rows(data.targets[target])
        return {"kind": "estimator", "estimator": fit_lightgbm(model, data.inputs, values, seed, rows)}

    def modules(self, model: Definition) -> set[str]:
        return {"lightgbm"}


KIND = LightGBMKind()
