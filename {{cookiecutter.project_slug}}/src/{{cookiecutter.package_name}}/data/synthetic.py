"""Numerai-shaped data with real signal, so everything runs offline.

Same files, columns, dtypes and value grids as a real dataset version: ids as the index, `era`,
`data_type`, `feature_*` int8 in 0..4, targets in steps of 0.25 with some NaN, features.json with
small/medium/all sets and targets, a live file of one era, benchmark model predictions. A few
features carry signal, so a trained model scores above zero on validation.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from ..files import temporary_sibling, write_atomic
from . import files

TARGETS = ("target", "target_cyrus_20", "target_teager2b_20", "target_agnes_20")
BENCHMARKS = ("v52_lgbm_cyrus20", "v52_lgbm_teager2b20")
# Numerai's targets put 5% / 20% / 50% / 20% / 5% of each era into the five bins.
BIN_SHARES = np.array([0.05, 0.20, 0.50, 0.20, 0.05])
INFORMATIVE = 8


@dataclass(frozen=True)
class Shape:
    """How much synthetic data to write; the defaults train in seconds."""

    train_eras: int = 120
    validation_eras: int = 40
    rows_per_era: int = 250
    live_rows: int = 1000
    features_all: int = 60
    features_medium: int = 30
    features_small: int = 12
    seed: int = 0

    @property
    def feature_names(self) -> list[str]:
        return [f"feature_synthetic_{index:04d}" for index in range(self.features_all)]


def feature_sets(shape: Shape) -> dict[str, list[str]]:
    names = shape.feature_names
    # The informative features are in every set, so every set can learn something.
    return {
        "small": names[: shape.features_small],
        "medium": names[: shape.features_medium],
        "all": names,
    }


def to_bins(score: np.ndarray) -> np.ndarray:
    """Map scores to 0, 0.25, ..., 1 with Numerai's bin shares."""
    order = np.argsort(np.argsort(score, kind="stable"), kind="stable") / max(len(score) - 1, 1)
    edges = np.cumsum(BIN_SHARES)[:-1]
    return np.searchsorted(edges, order, side="right").astype(np.float32) / 4


def era_block(rng: np.random.Generator, shape: Shape, rows: int, weights: np.ndarray, era: str,
              data_type: str, with_targets: bool, id_start: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """One era of rows plus the benchmark models' predictions for it."""
    features = rng.integers(0, 5, size=(rows, shape.features_all), dtype=np.int8)
    signal = (features[:, :INFORMATIVE].astype(np.float32) - 2) @ weights
    ids = [f"n{value:015x}" for value in range(id_start, id_start + rows)]
    frame = pd.DataFrame(features, columns=shape.feature_names, index=pd.Index(ids, name="id"))
    frame.insert(0, "data_type", data_type)
    frame.insert(0, "era", era)
    for number, name in enumerate(TARGETS):
        noisy = signal + rng.normal(0, 12.0 + 2 * number, rows)
        values = to_bins(noisy) if with_targets else np.full(rows, np.nan, dtype=np.float32)
        if with_targets and number == len(TARGETS) - 1:
            values[rng.random(rows) < 0.1] = np.nan  # auxiliary targets have gaps
        frame[name] = values.astype(np.float32)
    benchmarks = pd.DataFrame(index=frame.index)
    benchmarks["era"] = era
    for number, name in enumerate(BENCHMARKS):
        guess = signal + rng.normal(0, 3.0 + number, rows)
        benchmarks[name] = (pd.Series(guess).rank(pct=True).to_numpy()).astype(np.float32)
    return frame, benchmarks


def write_parquet(path: Path, blocks) -> None:
    """Stream frames into one parquet file (a row group each) through a temporary file."""
    temporary = temporary_sibling(path)
    writer = None
    try:
        for block in blocks:
            table = pa.Table.from_pandas(block, preserve_index=True)
            if writer is None:
                writer = pq.ParquetWriter(temporary, table.schema)
            writer.write_table(table)
        writer.close()
        temporary.replace(path)
    except BaseException:
        if writer is not None:
            writer.close()
        temporary.unlink(missing_ok=True)
        raise


def write_dataset(folder: Path, shape: Shape = Shape()) -> Path:
    """Write every file of a dataset version into `folder`; returns `folder`."""
    folder = Path(folder)
    rng = np.random.default_rng(shape.seed)
    weights = rng.normal(0, 1, INFORMATIVE).astype(np.float32)
    plan = [
        (files.TRAIN, files.TRAIN_BENCHMARKS, "train", range(1, shape.train_eras + 1), shape.rows_per_era, True),
        (files.VALIDATION, files.VALIDATION_BENCHMARKS, "validation",
         range(shape.train_eras + 1, shape.train_eras + shape.validation_eras + 1), shape.rows_per_era, True),
        (files.LIVE, files.LIVE_BENCHMARKS, "live",
         range(shape.train_eras + shape.validation_eras + 1, shape.train_eras + shape.validation_eras + 2),
         shape.live_rows, False),
    ]
    id_start = 0
    for data_file, benchmark_file, data_type, eras, rows, with_targets in plan:
        blocks = []
        for era in eras:
            blocks.append(era_block(rng, shape, rows, weights, f"{era:04d}", data_type, with_targets, id_start))
            id_start += rows
        write_parquet(folder / data_file, (frame for frame, _ in blocks))
        write_parquet(folder / benchmark_file, (benchmarks for _, benchmarks in blocks))
    metadata = {"feature_sets": feature_sets(shape), "targets": list(TARGETS)}
    write_atomic(folder / files.FEATURES_JSON, json.dumps(metadata, indent=1))
    return folder


def ensure_synthetic(folder: Path, shape: Shape = Shape(), *, log=print) -> Path:
    """The synthetic dataset in `folder`, written once and reused."""
    folder = Path(folder)
    if all((folder / name).exists() for name in files.ALL_FILES):
        log(f"data: synthetic dataset in {folder} (cached)")
        return folder
    log(f"data: writing a synthetic dataset to {folder}")
    return write_dataset(folder, shape)
