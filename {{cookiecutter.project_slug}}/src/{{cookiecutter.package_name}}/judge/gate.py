"""A spec's gate against Numerai's diagnostics: which bounds hold, which fail, which could not be judged.

Pure: the figures in (the candidate's, and the deployed pickle's when there is one), the verdict out.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..modelspec.model import GateBound

PASS, FAIL, IN_SAMPLE, NO_GATE = "pass", "fail", "in-sample", "no gate"
IN_SAMPLE_WHY = ("Numerai reports trainedOnVal: the model trained on the validation eras, so these figures are "
                 "in-sample and say little of live performance; the gate is reported, not enforced")


@dataclass(frozen=True)
class Failure:
    metric: str
    bound: str  # min, max, min_vs_deployed
    limit: float
    value: float | None
    deployed: float | None = None

    def __str__(self) -> str:
        if self.value is None:
            return f"{self.metric}: Numerai reported no value ({self.bound} {self.limit:g})"
        if self.bound == "min_vs_deployed":
            difference = self.value - (self.deployed or 0.0)
            return (f"{self.metric} {self.value:.4f} is {difference:+.4f} against the deployed pickle's "
                    f"{self.deployed:.4f} (min_vs_deployed {self.limit:g})")
        relation = "<" if self.bound == "min" else ">"
        return f"{self.metric} {self.value:.4f} {relation} {self.bound} {self.limit:g}"


@dataclass(frozen=True)
class Verdict:
    status: str  # PASS, FAIL, IN_SAMPLE, NO_GATE
    failures: tuple[Failure, ...] = ()
    notes: tuple[str, ...] = field(default=())

    @property
    def passed(self) -> bool:
        """Whether the gate lets the build deploy (an in-sample build's figures are not held against it)."""
        return self.status != FAIL

    def to_json(self) -> dict[str, Any]:
        return {"status": self.status, "passed": self.passed, "notes": list(self.notes),
                "failures": [{"metric": item.metric, "bound": item.bound, "limit": item.limit, "value": item.value,
                              "deployed": item.deployed, "text": str(item)} for item in self.failures]}


def number(value: object) -> float | None:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def bound_failures(metric: str, bound: GateBound, candidate: dict[str, Any], deployed: dict[str, Any] | None,
                   notes: list[str]) -> list[Failure]:
    value = number(candidate.get(metric))
    failures = []
    for kind, limit in (("min", bound.min), ("max", bound.max)):
        if limit is None:
            continue
        if value is None or (kind == "min" and value < limit) or (kind == "max" and value > limit):
            failures.append(Failure(metric, kind, limit, value))
    if bound.min_vs_deployed is not None:
        theirs = number((deployed or {}).get(metric))
        if deployed is None:
            notes.append(f"{metric}: min_vs_deployed skipped: nothing deployed on the slot to compare with")
        elif theirs is None:
            notes.append(f"{metric}: min_vs_deployed skipped: the deployed pickle's diagnostics have no value")
        elif value is None or value - theirs < bound.min_vs_deployed:
            failures.append(Failure(metric, "min_vs_deployed", bound.min_vs_deployed, value, theirs))
    return failures


def judge(gate: dict[str, GateBound], candidate: dict[str, Any], deployed: dict[str, Any] | None, *,
          trained_on_val: bool) -> Verdict:
    """The gate's verdict on the candidate's figures (Numerai's names), beside the deployed pickle's."""
    if not gate:
        return Verdict(NO_GATE)
    notes: list[str] = []
    failures = [failure for metric, bound in gate.items()
                for failure in bound_failures(metric, bound, candidate, deployed, notes)]
    if trained_on_val:
        return Verdict(IN_SAMPLE, tuple(failures), (*notes, IN_SAMPLE_WHY))
    return Verdict(FAIL if failures else PASS, tuple(failures), tuple(notes))
