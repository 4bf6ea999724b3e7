"""Fit a model tree: single estimators, weighted ensembles and stacked layers.

Stacking without leakage: the selected eras are cut into consecutive chunks, one per layer;
layer 0 learns on the first chunk, and each further layer learns, on the next chunk, from the
per-era ranked predictions of the layers before it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..bundle.predictor import rank_within, run_node
from ..spec.model import EnsembleModel
from .estimators import fit_estimator


@dataclass
class TrainingSet:
    """Inputs (rows x features[+benchmarks]), one array per target, and the era of each row."""

    inputs: np.ndarray
    targets: dict[str, np.ndarray]
    eras: np.ndarray
    input_names: list[str]

    def rows(self, mask: np.ndarray) -> TrainingSet:
        return TrainingSet(self.inputs[mask], {k: v[mask] for k, v in self.targets.items()},
                           self.eras[mask], self.input_names)


def era_chunks(eras: np.ndarray, count: int) -> list[np.ndarray]:
    """Row masks of `count` consecutive groups of eras."""
    ordered = np.array(sorted(pd.unique(eras)))
    if count > len(ordered):
        raise ValueError(f"{count} stacking layers need at least {count} eras, got {len(ordered)}")
    return [np.isin(eras, group) for group in np.array_split(ordered, count)]


def fit_node(model, data: TrainingSet, target: str, seed: int) -> dict:
    """Fit `model` (any definition) on `data`, predicting `target` unless a member says otherwise."""
    if not isinstance(model, EnsembleModel):
        return fit_estimator(model, data.inputs, data.targets[target], seed, data.input_names)
    layers_spec = [model.members, *[layer.members for layer in model.layers]]
    # A single layer learns from all rows as they are: its LightGBM members stream them from the file.
    masks = era_chunks(data.eras, len(layers_spec)) if len(layers_spec) > 1 else [None]
    layers: list[list[tuple[dict, float]]] = []
    for depth, (members, mask) in enumerate(zip(layers_spec, masks, strict=True)):
        chunk = data if mask is None else data.rows(mask)
        inputs = chunk.inputs
        # Each further layer learns from the ranked predictions of the layers before it.
        for layer in layers:
            inputs = np.column_stack(
                [rank_within(run_node(node, inputs, chunk.eras), chunk.eras) for node, _ in layer]
            ).astype(np.float32)
        names = chunk.input_names if depth == 0 else [f"layer{depth - 1}_{i}" for i in range(inputs.shape[1])]
        stage = TrainingSet(inputs, chunk.targets, chunk.eras, names)
        layers.append([
            (fit_node(member.model, stage, member.target or target, seed + index), member.weight)
            for index, member in enumerate(members)
        ])
    return {"kind": "ensemble", "layers": layers}
