"""Estimators trained without the whole float matrix: linear models from their sufficient statistics,
estimators with partial_fit fed a chunk at a time.

A least-squares linear model (LinearRegression, Ridge) depends on its data only through XᵀX and Xᵀy
(with the column sums when it fits an intercept): those are accumulated from the int8 rows a chunk at
a time, in float64, and solved once, as scikit-learn solves the whole matrix (Ridge: Cholesky on the
centred data; LinearRegression and alpha 0: the least-norm least-squares solution). Memory is the
statistics (features² float64 values) and one chunk, whatever the rows. Each chunk is shifted by the
first chunk's means before its products are added, so that centring loses no digits.
The fitted estimator is the library's own, with coef_, intercept_ and n_features_in_ set as its fit
sets them on a numpy matrix: the pickle and Numerai's predict see no difference.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from .streaming import row_source

# Values (rows x features) converted to float64 at a time: a chunk of 32 MB.
CHUNK_VALUES = 4 * 2**20


def chunks(inputs: Any, target: npt.NDArray[Any], rows: npt.NDArray[np.int64] | None = None,
           chunk_values: int | None = None) -> Iterator[tuple[npt.NDArray[Any], npt.NDArray[Any]]]:
    """(int8 rows, their targets) of `inputs` (only `rows` when given), in order, a bounded chunk at a time
    (`chunk_values` values at most; CHUNK_VALUES)."""
    source = row_source(inputs, rows)
    per_chunk = max(1, (chunk_values or CHUNK_VALUES) // max(source.shape[1], 1))
    start = 0
    for batch in source.batches():
        for offset in range(0, len(batch), per_chunk):
            part = batch[offset: offset + per_chunk]
            yield part, target[start: start + len(part)]
            start += len(part)
    if start != len(target):
        raise ValueError(f"the rows read ({start}) differ from the targets ({len(target)})")


@dataclass
class Statistics:
    """Sums over the rows of z = x - shift and y' = y - target_shift: enough to solve a least-squares model."""

    shift: npt.NDArray[Any]
    target_shift: float
    count: int
    sums: npt.NDArray[Any]  # Σz
    target_sum: float  # Σy'
    cross: npt.NDArray[Any]  # ZᵀZ
    target_cross: npt.NDArray[Any]  # Zᵀy'

    def add(self, part: npt.NDArray[Any], values: npt.NDArray[Any]) -> None:
        z = part.astype(np.float64) - self.shift
        y = values.astype(np.float64) - self.target_shift
        self.count += len(z)
        self.sums += z.sum(axis=0)
        self.target_sum += float(y.sum())
        self.cross += z.T @ z
        self.target_cross += z.T @ y

    def system(self, fit_intercept: bool) -> tuple[npt.NDArray[Any], npt.NDArray[Any]]:
        """(XᵀX, Xᵀy) of the centred data when fitting an intercept, else of the raw data."""
        n, mean, target_mean = self.count, self.sums / self.count, self.target_sum / self.count
        if fit_intercept:
            return (self.cross - n * np.outer(mean, mean), self.target_cross - n * mean * target_mean)
        s, t = self.shift, self.target_shift
        gram = self.cross + np.outer(s, self.sums) + np.outer(self.sums, s) + n * np.outer(s, s)
        moment = self.target_cross + t * self.sums + s * self.target_sum + n * s * t
        return gram, moment

    def intercept(self, coef: npt.NDArray[Any]) -> float:
        mean = self.sums / self.count + self.shift
        return float(self.target_sum / self.count + self.target_shift - mean @ coef)


def accumulate(inputs: Any, target: npt.NDArray[Any], rows: npt.NDArray[np.int64] | None = None,
               chunk_values: int | None = None) -> Statistics:
    """The statistics of `inputs` (only `rows` when given) against `target` (the targets of those rows)."""
    found: Statistics | None = None
    for part, values in chunks(inputs, target, rows, chunk_values):
        if found is None:
            width = part.shape[1]
            found = Statistics(part.astype(np.float64).mean(axis=0), float(np.mean(values)), 0,
                               np.zeros(width), 0.0, np.zeros((width, width)), np.zeros(width))
        found.add(part, values)
    if found is None:
        raise ValueError("no rows to fit")
    return found


def solve(gram: npt.NDArray[Any], moment: npt.NDArray[Any], alpha: float) -> npt.NDArray[Any]:
    """(XᵀX + alpha I)⁻¹ Xᵀy; without a penalty, the least-norm solution (scikit-learn's lstsq)."""
    import scipy.linalg

    if alpha > 0:
        penalised = gram + alpha * np.eye(len(gram))
        try:
            solution: npt.NDArray[np.float64] = scipy.linalg.solve(penalised, moment, assume_a="pos")
        except scipy.linalg.LinAlgError:  # scikit-learn falls back the same way on a singular system
            solution = scipy.linalg.lstsq(penalised, moment)[0]
        return solution
    least_norm: npt.NDArray[np.float64] = scipy.linalg.lstsq(gram, moment)[0]
    return least_norm


def fit_linear(estimator: Any, inputs: Any, target: npt.NDArray[Any], rows: npt.NDArray[np.int64] | None = None) -> Any:
    """`estimator` (unfitted LinearRegression or Ridge) fitted from streamed statistics."""
    params = estimator.get_params()
    fit_intercept = bool(params.get("fit_intercept", True))
    statistics = accumulate(inputs, target, rows)
    coef = solve(*statistics.system(fit_intercept), float(params.get("alpha", 0.0)))
    estimator.coef_ = coef
    estimator.intercept_ = statistics.intercept(coef) if fit_intercept else 0.0
    estimator.n_features_in_ = len(coef)
    return estimator


def fit_partial(estimator: Any, inputs: Any, target: npt.NDArray[Any], rows: npt.NDArray[np.int64] | None = None,
                epochs: int = 1) -> Any:
    """`estimator` fed every row `epochs` times through partial_fit, a float32 chunk at a time."""
    for _epoch in range(epochs):
        for part, values in chunks(inputs, target, rows):
            estimator.partial_fit(part.astype(np.float32), values)
    return estimator
