"""Ensembles (`type: ensemble`): weighted members, optionally stacked in layers (train/ensemble.py).

Members train one after another and each frees its training data before the next starts: the peak
is the largest member's (on its stage's rows and inputs), not their sum; a fitted member holds
only its model."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .base import FitMember, MemoryCoefficients, Peak, PeakOf, Work

if TYPE_CHECKING:
    from ..modelspec.model import Definition, EnsembleModel
    from ..modelspec.parameters import Checker
    from ..train.ensemble import TrainingSet


class EnsembleKind:
    name = "ensemble"

    def parameter_problems(self, model: Definition, checker: Checker) -> list[tuple[str, str]]:
        return []  # its members' are checked as models of their own kinds

    def peak(self, model: EnsembleModel, rows: int, features: int, memory: MemoryCoefficients,
             peak_of: PeakOf) -> Peak:
        stages = model.stages()
        # Stacking cuts the eras into one chunk per stage; a later stage reads the earlier one's predictions.
        stage_rows = rows if len(stages) == 1 else -(-rows // len(stages))
        peaks, inputs = [], features
        for members in stages:
            peaks += [peak_of(member.model, stage_rows, inputs) for member in members]
            inputs = len(members)
        base = max(peak.base_gb for peak in peaks)
        paths = ", ".join(dict.fromkeys(peak.path for peak in peaks))
        return Peak(f"ensemble of {paths}", base, max(peak.gb for peak in peaks) - base)

    def fit(self, model: EnsembleModel, data: TrainingSet, target: str, seed: int, fit_member: FitMember
            ) -> dict[str, Any]:
        from ..train.ensemble import fit_stages

        return fit_stages(model, data, target, seed, fit_member)

    def work(self, model: Definition, rows: int, features: int) -> Work:
        return Work(None, 0.0)  # its members' training is counted, each by its own kind

    def modules(self, model: Definition) -> set[str]:
        return set()


KIND = EnsembleKind()
