"""Custom code (`type: custom`): the repository's own `module:function`, called with a float32 frame;
its parameters are its own (nothing to check), its memory the float32 matrix and a copy."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .base import FitMember, MemoryCoefficients, Peak, PeakOf, Work, linear_peak

if TYPE_CHECKING:
    from ..modelspec.model import CustomModel, Definition
    from ..modelspec.parameters import Checker
    from ..train.ensemble import TrainingSet


class CustomKind:
    name = "custom"

    def parameter_problems(self, model: Definition, checker: Checker) -> list[tuple[str, str]]:
        return []

    def peak(self, model: Definition, rows: int, features: int, memory: MemoryCoefficients,
             peak_of: PeakOf) -> Peak:
        return linear_peak(memory, "float32", rows * features, rows)

    def fit(self, model: CustomModel, data: TrainingSet, target: str, seed: int, fit_member: FitMember
            ) -> dict[str, Any]:
        from ..train.estimators import as_float32, fit_custom, known_rows

        rows, values = known_rows(data.targets[target])
        fitted = fit_custom(model, as_float32(data.inputs, rows), values, seed, data.input_names)
        return {"kind": "estimator", "estimator": fitted}

    def work(self, model: Definition, rows: int, features: int) -> Work:
        return Work("float32_ns_per_value", rows * features)  # one pass over a float32 matrix, as a rule of thumb

    def modules(self, model: Definition) -> set[str]:
        return set()  # the pickle embeds the repository's code by value; check reads what it imports


KIND = CustomKind()
