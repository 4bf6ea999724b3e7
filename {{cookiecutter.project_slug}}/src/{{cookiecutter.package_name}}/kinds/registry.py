"""The table of model kinds: the spec's `model.type` -> the module that knows the kind (kinds/base.py's
Protocol). A new kind is its spec class (modelspec/model.py), its module here, and one line below."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from . import custom, ensemble, estimator, lightgbm
from .base import MemoryCoefficients, ModelKind, Peak, Work

if TYPE_CHECKING:
    from ..modelspec.model import Definition
    from ..train.ensemble import TrainingSet

KINDS: dict[str, ModelKind[Any]] = {
    "lightgbm": lightgbm.KIND,
    "sklearn": estimator.KIND,
    "custom": custom.KIND,
    "ensemble": ensemble.KIND,
}


def kind_of(model: Definition) -> ModelKind[Any]:
    """The kind of a model definition, by its `type`."""
    name = getattr(model, "type", None)
    if name not in KINDS:
        raise TypeError(f"not a model definition of a known kind: {type(model).__name__} ({name!r})")
    return KINDS[name]


def fit_model(model: Definition, data: TrainingSet, target: str, seed: int) -> dict[str, Any]:
    """The fitted model tree node of `model` (any kind) on `data`'s `target` column."""
    return kind_of(model).fit(model, data, target, seed, fit_model)


def peak_of(memory: MemoryCoefficients) -> Any:
    """A function giving any definition's training peak on rows x features, with these coefficients."""
    def peak(model: Definition, rows: int, features: int) -> Peak:
        return kind_of(model).peak(model, rows, features, memory, peak)

    return peak


def work_of(model: Definition, rows: int, features: int) -> Work:
    """What training `model` alone costs (a composite's members are costed each by their own kind)."""
    return kind_of(model).work(model, rows, features)


def modules_of(model: Definition) -> set[str]:
    """Top-level modules a model (its members included) needs in the image."""
    from ..modelspec.model import iter_models

    return {module for found in iter_models(model) for module in kind_of(found).modules(found)}
