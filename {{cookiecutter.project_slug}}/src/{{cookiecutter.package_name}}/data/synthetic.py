"""Numerai-shaped data with real signal, so everything runs offline.

Same files, columns, dtypes and value grids as a real dataset version: ids as the index, `era`,
`data_type`, `feature_*` int8 in 0..4, targets in steps of 0.25 with some NaN, features.json with
small/medium/all sets and targets, a live file of one era, benchmark model predictions and, when
asked for (`Shape(meta_model=True)`), the meta model's predictions on the later validation eras, as
Numerai's `meta_model.parquet` has them. A few features carry signal, so a trained model scores above
zero on validation.
"""

from __future__ import annotations

import json
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa

from ..files import write_atomic
from ..logs import get_logger
from . import files
from .parquet_writer import parquet_writer

log = get_logger(__name__)

TARGETS = ("target", "target_cyrus_20", "target_teager2b_20", "target_agnes_20")
BENCHMARKS = ("v52_lgbm_cyrus20", "v52_lgbm_teager2b20")
# Numerai's targets put 5% / 20% / 50% / 20% / 5% of each era into the five bins.
BIN_SHARES = np.array([0.05, 0.20, 0.50, 0.20, 0.05])
INFORMATIVE = 8
# Row groups of whole eras, about this many rows: few enough that the file's metadata stays small,
# small enough that a reader decoding a row group at a time (pyarrow does) needs little memory.
ROW_GROUP_ROWS = 100_000
# Numerai's training data: about 2.7 million rows in 574 eras; feature sets of 42, 705 and 2,376.
NUMERAI_TRAIN_ERAS = 574
NUMERAI_ROWS_PER_ERA = 4704
NUMERAI_FEATURES = {"small": 42, "medium": 705, "all": 2376}


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
    # Also write meta_model.parquet (Numerai's v5 versions have it; MMC needs it).
    meta_model: bool = False
    # The share of validation eras, the latest ones, the meta model covers (Numerai's covers recent eras).
    meta_model_share: float = 0.5

    @property
    def feature_names(self) -> list[str]:
        return [f"feature_synthetic_{index:04d}" for index in range(self.features_all)]

    @property
    def train_rows(self) -> int:
        return self.train_eras * self.rows_per_era

    @classmethod
    def numerai(cls, scale: float = 1.0, **overrides) -> Shape:
        """Numerai's real training shape with `scale` times its eras (1.0: about 2.7M rows).

        `overrides` replace any field, e.g. `features_all=705` to write only the medium set.
        """
        shape = cls(train_eras=max(round(NUMERAI_TRAIN_ERAS * scale), 2), validation_eras=4,
                    rows_per_era=NUMERAI_ROWS_PER_ERA, live_rows=6000,
                    features_all=NUMERAI_FEATURES["all"], features_medium=NUMERAI_FEATURES["medium"],
                    features_small=NUMERAI_FEATURES["small"])
        return replace(shape, **overrides)


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


@contextmanager
def parquet_stream(path: Path, row_group_rows: int = ROW_GROUP_ROWS):
    """A `write(frame)` that appends frames to `path` in row groups of whole frames (eras) of about
    `row_group_rows` rows; the file appears only when complete."""
    pending = []
    with parquet_writer(path) as write_table:

        def flush() -> None:
            if pending:
                write_table(pa.concat_tables(pending))
                pending.clear()

        def write(frame: pd.DataFrame) -> None:
            pending.append(pa.Table.from_pandas(frame, preserve_index=True))
            if sum(len(table) for table in pending) >= row_group_rows:
                flush()

        yield write
        flush()


def write_parquet(path: Path, blocks) -> None:
    """Stream frames into one parquet file (see parquet_stream) through a temporary file."""
    with parquet_stream(path) as write:
        for block in blocks:
            write(block)


def meta_model_block(rng: np.random.Generator, benchmarks: pd.DataFrame) -> pd.DataFrame:
    """The meta model's predictions for one era: a noisy blend of the benchmark models, as ranks."""
    blend = benchmarks[list(BENCHMARKS)].mean(axis=1).to_numpy() + rng.normal(0, 0.1, len(benchmarks))
    frame = pd.DataFrame(index=benchmarks.index)
    frame["era"] = benchmarks["era"]
    frame["data_type"] = "validation"
    frame[files.META_MODEL_COLUMN] = pd.Series(blend).rank(pct=True).to_numpy().astype(np.float32)
    return frame


def write_meta_model(folder: Path, shape: Shape) -> None:
    """meta_model.parquet for the latest `meta_model_share` of validation eras, from the benchmark
    predictions already written (a separate random stream: the other files stay as without it)."""
    rng = np.random.default_rng(shape.seed + 1)
    benchmarks = pd.read_parquet(folder / files.VALIDATION_BENCHMARKS)
    eras = sorted(benchmarks["era"].unique())
    covered = eras[len(eras) - max(1, round(len(eras) * shape.meta_model_share)):]
    with parquet_stream(folder / files.META_MODEL) as write:
        for era in covered:
            write(meta_model_block(rng, benchmarks[benchmarks["era"] == era]))


def expected_files(shape: Shape) -> tuple[str, ...]:
    return (*files.ALL_FILES, files.META_MODEL) if shape.meta_model else files.ALL_FILES


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
        # One era at a time into both files: memory stays at one era whatever the shape.
        with ExitStack() as stack:
            write_data = stack.enter_context(parquet_stream(folder / data_file))
            write_benchmarks = stack.enter_context(parquet_stream(folder / benchmark_file))
            for era in eras:
                frame, benchmarks = era_block(rng, shape, rows, weights, f"{era:04d}", data_type, with_targets,
                                              id_start)
                write_data(frame)
                write_benchmarks(benchmarks)
                id_start += rows
    if shape.meta_model:
        write_meta_model(folder, shape)
    metadata = {"feature_sets": feature_sets(shape), "targets": list(TARGETS)}
    write_atomic(folder / files.FEATURES_JSON, json.dumps(metadata, indent=1))
    return folder


def ensure_synthetic(folder: Path, shape: Shape = Shape()) -> Path:
    """The synthetic dataset in `folder`, written once and reused."""
    folder = Path(folder)
    if all((folder / name).exists() for name in expected_files(shape)):
        log.info(f"data: synthetic dataset in {folder} (cached)")
        return folder
    log.info(f"data: writing a synthetic dataset to {folder}")
    return write_dataset(folder, shape)
