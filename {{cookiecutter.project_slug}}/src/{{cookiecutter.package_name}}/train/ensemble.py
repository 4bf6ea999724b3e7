"""Fit a model tree: single estimators, weighted ensembles and stacked layers.

Stacking without leakage: the selected eras are cut into consecutive chunks, one per layer;
layer 0 learns on the first chunk, and each further layer learns, on the next chunk, from the
per-era ranked predictions of the layers before it.

Features still on disk (data.read.ParquetFeatures) stay there: a layer's rows are a lazy subset its
LightGBM members stream from the file, and the earlier layers predict a layer's rows a block of
whole eras at a time.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ..bundle.predictor import rank_within, run_node
from ..modelspec.model import EnsembleModel
from .streaming import is_source, row_source

# Feature values predicted at a time when earlier layers predict a later layer's rows (int8 block,
# plus the float32 copy LightGBM makes of it).
PREDICT_BLOCK_VALUES = 32 * 2**20


@dataclass
class TrainingSet:
    """Inputs (rows x features[+benchmarks]), one array per target, and the era of each row."""

    inputs: Any  # a matrix, or a row source still on disk (data/read.py LazyRows)
    targets: dict[str, np.ndarray[Any, Any]]
    eras: np.ndarray[Any, Any]
    input_names: list[str]

    def rows(self, mask: np.ndarray[Any, Any]) -> TrainingSet:
        """The rows of `mask`; inputs still on disk stay there (a lazy subset)."""
        inputs = self.inputs.subset(np.flatnonzero(mask)) if is_source(self.inputs) else self.inputs[mask]
        return TrainingSet(inputs, {k: v[mask] for k, v in self.targets.items()}, self.eras[mask],
                           self.input_names)


def era_chunks(eras: np.ndarray[Any, Any], count: int) -> list[np.ndarray[Any, Any]]:
    """Row masks of `count` consecutive groups of eras."""
    ordered = np.array(sorted(pd.unique(eras)))
    if count > len(ordered):
        raise ValueError(f"{count} stacking layers need at least {count} eras, got {len(ordered)}")
    return [np.isin(eras, group) for group in np.array_split(ordered, count)]


def era_blocks(inputs: Any, eras: np.ndarray[Any, Any], block_values: int = PREDICT_BLOCK_VALUES
               ) -> Iterator[tuple[int, np.ndarray[Any, Any]]]:
    """(start, block) pairs: consecutive rows of `inputs` as arrays ending on an era's last row, of
    about `block_values` values, read in one pass. Everything at once when an era's rows are not
    consecutive (each call must see whole eras: nested ensembles rank within them)."""
    eras = np.asarray(eras)
    if not is_source(inputs):
        inputs = np.asarray(inputs)
    if len(eras) == 0:
        return
    changes = np.flatnonzero(eras[1:] != eras[:-1]) + 1
    if len(changes) + 1 != len(pd.unique(eras)):
        yield 0, np.asarray(inputs)
        return
    ends = np.append(changes, len(eras))  # the row after each era's last
    wanted = max(1, block_values // max(inputs.shape[1], 1))
    pending, start, held = [], 0, 0
    for batch in row_source(inputs).batches():
        pending.append(batch)
        held += len(batch)
        if held < wanted and start + held < len(eras):
            continue
        finished = int(np.searchsorted(ends, start + held, side="right"))  # eras ending within what is held
        stop = int(ends[finished - 1]) if finished else 0
        if stop <= start:
            continue  # no era ends within what is held yet
        joined = np.concatenate(pending) if len(pending) > 1 else pending[0]
        yield start, joined[: stop - start]
        pending, held, start = [joined[stop - start:]], held - (stop - start), stop


def layer_inputs(layers: list[Any], inputs: Any, eras: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
    """The ranked predictions of `layers` (each reading the one before; the first, `inputs`) for
    these rows: the inputs of the layer after them."""
    first, *rest = layers
    if is_source(inputs):
        current = np.empty((len(eras), len(first)), dtype=np.float32)
        for start, block in era_blocks(inputs, eras):
            block_eras = eras[start: start + len(block)]
            current[start: start + len(block)] = np.column_stack(
                [rank_within(run_node(node, block, block_eras), block_eras) for node, _ in first])
    else:
        current = np.column_stack([rank_within(run_node(node, inputs, eras), eras) for node, _ in first]
                                  ).astype(np.float32)
    for layer in rest:
        current = np.column_stack(
            [rank_within(run_node(node, current, eras), eras) for node, _ in layer]
        ).astype(np.float32)
    return current


def fit_stages(model: EnsembleModel, data: TrainingSet, target: str, seed: int,
               fit_member: Callable[[Any, TrainingSet, str, int], dict[str, Any]]) -> dict[str, Any]:
    """Fit the stages of `model` on `data` (each member by `fit_member`, on its own target when it
    names one), stacking later layers on the ranked predictions of the earlier ones."""
    layers_spec = model.stages()
    # A single layer learns from all rows as they are: its LightGBM members stream them from the file.
    masks = era_chunks(data.eras, len(layers_spec)) if len(layers_spec) > 1 else [None]
    layers: list[list[tuple[dict[str, Any], float]]] = []
    for depth, (members, mask) in enumerate(zip(layers_spec, masks, strict=True)):
        chunk = data if mask is None else data.rows(mask)
        # Each further layer learns from the ranked predictions of the layers before it.
        inputs = layer_inputs(layers, chunk.inputs, chunk.eras) if layers else chunk.inputs
        names = chunk.input_names if depth == 0 else [f"layer{depth - 1}_{i}" for i in range(inputs.shape[1])]
        stage = TrainingSet(inputs, chunk.targets, chunk.eras, names)
        layers.append([
            (fit_member(member.model, stage, member.target or target, seed + index), member.weight)
            for index, member in enumerate(members)
        ])
    return {"kind": "ensemble", "layers": layers}
