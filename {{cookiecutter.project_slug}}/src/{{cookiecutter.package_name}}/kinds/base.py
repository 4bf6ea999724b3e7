"""The one Protocol every model kind follows (kinds/registry.py lists the kinds), and what its methods share.

A kind is one module: its parameter checks (validate, build), its memory model (plan's capacity),
its training (build) and the top-level modules a model of it needs in the image. Nothing here imports
an ML library: validate and plan load every kind, build alone trains.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

if TYPE_CHECKING:
    from ..modelspec.model import Definition
    from ..modelspec.parameters import Checker
    from ..train.ensemble import TrainingSet

GB = 1e9
# The spec class a kind knows (modelspec/model.py): its methods take only definitions of their kind.
M = TypeVar("M", bound="Definition", contravariant=True)
# runtimes/capacity.json's `memory`: {memory model: (bytes per value, base GB, bytes per row)}.
MemoryCoefficients = Mapping[str, tuple[float, float, float]]
# How a composite kind fits a member: (definition, training set, target column, seed) -> tree node.
FitMember = Callable[["Definition", "TrainingSet", str, int], dict[str, Any]]
# How a composite kind sizes a member: (definition, rows, features) -> its peak.
PeakOf = Callable[["Definition", int, int], "Peak"]


@dataclass(frozen=True)
class Work:
    """What training one model costs: `units` of capacity.json's time rate `rate` (nanoseconds per unit),
    e.g. values x rounds for LightGBM; None for a composite, whose members count for it."""

    rate: str | None
    units: float


@dataclass(frozen=True)
class Peak:
    """A training's memory at its peak: the process's base, what the training holds above it, and
    the memory model that says so (named in plan's output)."""

    path: str
    base_gb: float
    working_gb: float

    @property
    def gb(self) -> float:
        return self.base_gb + self.working_gb


def linear_peak(memory: MemoryCoefficients, path: str, values: float, rows: int) -> Peak:
    """base + bytes per value x values + bytes per row x rows (each row's era and targets), with the
    coefficients `path` names in capacity.json."""
    per_value, base, per_row = memory[path]
    return Peak(path, base, (per_value * values + per_row * rows) / GB)


class ModelKind(Protocol[M]):
    """One kind of model definition: the spec's `model.type` names it."""

    name: str

    def parameter_problems(self, model: M, checker: Checker) -> list[tuple[str, str]]:
        """(parameter, what was expected) for each parameter the kind's library would refuse or ignore."""
        ...

    def peak(self, model: M, rows: int, features: int, memory: MemoryCoefficients,
             peak_of: PeakOf) -> Peak:
        """Its training's peak memory on `rows` x `features` int8 values (read from disk)."""
        ...

    def fit(self, model: M, data: TrainingSet, target: str, seed: int, fit_member: FitMember
            ) -> dict[str, Any]:
        """The fitted model tree node (bundle/predictor.py runs it) of `model` on `data`'s `target`."""
        ...

    def work(self, model: M, rows: int, features: int) -> Work:
        """The training's cost, for the build time the plan estimates."""
        ...

    def modules(self, model: M) -> set[str]:
        """Top-level modules a model of this kind needs in the image (members' excepted)."""
        ...
