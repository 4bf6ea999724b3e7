"""Numerai-shaped data with real signal, so everything runs offline.

Same files, columns, dtypes and value grids as a real dataset version: ids as the index, `era`,
`data_type`, `feature_*` int8 in 0..4, targets in steps of 0.25 with some NaN, features.json with the
feature sets and targets, a live file of one era, benchmark model predictions and, when asked for
(`Shape(meta_model=True)`), the meta model's predictions on the later validation eras, as Numerai's
`meta_model.parquet` has them. `Shape.of(version)` makes a version's data (datasets/<version>.json):
its feature sets in proportion, its targets, benchmark columns and meta model. A few features carry
signal, so a trained model scores above zero on validation.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from ..datasets import DatasetVersion, current_version
from ..files import write_atomic
from ..logs import get_logger
from . import files
from .parquet_writer import parquet_writer

log = get_logger(__name__)

# The names of data that is no version in particular (`Shape()` alone); `Shape.of` takes a version's.
TARGETS = ("target", "target_synthetic_20", "target_synthetic_60")
BENCHMARKS = ("synthetic_lgbm_20", "synthetic_lgbm_60")
# Numerai's targets put 5% / 20% / 50% / 20% / 5% of each era into the five bins.
BIN_SHARES = np.array([0.05, 0.20, 0.50, 0.20, 0.05])
INFORMATIVE = 8
# Row groups of whole eras, about this many rows: few enough that the file's metadata stays small,
# small enough that a reader decoding a row group at a time (pyarrow does) needs little memory.
ROW_GROUP_ROWS = 100_000
# A version's feature sets, scaled down: this share of each set's size, at least MIN_SET features
# (every set holds the informative ones): a version's thousands of features make under a hundred.
FEATURE_SCALE = 1 / 40
MIN_SET = 12
# The shape a dataset was written with, beside it: a cached dataset of other names is written again.
SHAPE_RECORD = "synthetic-shape.json"


@dataclass(frozen=True)
class Shape:
    """How much synthetic data to write, and its names; the defaults train in seconds."""

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
    # The feature sets besides small, medium and all: (name, size) pairs.
    other_sets: tuple[tuple[str, int], ...] = ()
    targets: tuple[str, ...] = TARGETS
    # The target with the most signal (default: the first) and the alias column that copies it.
    payout_target: str | None = None
    alias_target: str | None = None
    benchmarks: tuple[str, ...] = BENCHMARKS

    @property
    def feature_names(self) -> list[str]:
        return [f"feature_synthetic_{index:04d}" for index in range(self.features_all)]

    @property
    def train_rows(self) -> int:
        return self.train_eras * self.rows_per_era

    @classmethod
    def of(cls, version: DatasetVersion, feature_scale: float = FEATURE_SCALE, **overrides: Any) -> Shape:
        """Data shaped like `version`: every feature set at `feature_scale` of its size (at least MIN_SET
        features), every target, the benchmark columns and the meta model. `overrides` replace any field."""
        sizes = {name: size if feature_scale >= 1 else max(MIN_SET, round(size * feature_scale))
                 for name, size in version.feature_sets.items()}
        shape = cls(features_all=sizes["all"], features_medium=sizes.get("medium", sizes["all"]),
                    features_small=sizes.get("small", sizes["all"]),
                    other_sets=tuple((name, size) for name, size in sizes.items()
                                     if name not in ("small", "medium", "all")),
                    targets=version.targets, payout_target=version.payout_target,
                    alias_target=version.alias_column, benchmarks=version.benchmark_columns,
                    meta_model=version.meta_model_file is not None)
        return replace(shape, **overrides)

    @classmethod
    def numerai(cls, version: DatasetVersion, scale: float = 1.0, **overrides: Any) -> Shape:
        """Numerai's real training shape of `version`, every feature set at full size, with `scale` times
        its eras (1.0: about 2.7M rows). `overrides` replace any field, e.g. `features_all` set to the
        medium set's size to write only the medium set."""
        fields = {"train_eras": max(round(version.train_eras * scale), 2), "validation_eras": 4,
                  "rows_per_era": version.rows_per_era, "live_rows": 6000}
        return cls.of(version, 1.0, **{**fields, **overrides})


def version_shape(versions: dict[str, DatasetVersion], name: str) -> Shape:
    """The scaled-down shape of version `name`; one datasets/ does not know takes the current version's."""
    if name in versions:
        return Shape.of(versions[name])
    current = current_version(versions)
    log.info(f"data: datasets/ has no {name}.json; synthetic {name} takes the shape of {current.name}")
    return Shape.of(current)


def feature_sets(shape: Shape) -> dict[str, list[str]]:
    names = shape.feature_names
    # The informative features are in every set, so every set can learn something; the other sets
    # take the rest in turn, from a different place each.
    rest = names[INFORMATIVE:]
    sets = {"small": names[: shape.features_small], "medium": names[: shape.features_medium]}
    for number, (name, size) in enumerate(shape.other_sets):
        start = (number * 7919) % max(len(rest), 1)
        taken = min(max(size - INFORMATIVE, 0), len(rest))
        sets[name] = names[:INFORMATIVE] + [rest[(start + index) % len(rest)] for index in range(taken)]
    sets["all"] = names
    return sets


def to_bins(score: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
    """Map scores to 0, 0.25, ..., 1 with Numerai's bin shares."""
    order = np.argsort(np.argsort(score, kind="stable"), kind="stable") / max(len(score) - 1, 1)
    edges = np.cumsum(BIN_SHARES)[:-1]
    return np.searchsorted(edges, order, side="right").astype(np.float32) / 4


def era_block(rng: np.random.Generator, shape: Shape, rows: int, weights: np.ndarray[Any, Any], era: str,
              data_type: str, with_targets: bool, id_start: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """One era of rows plus the benchmark models' predictions for it."""
    features = rng.integers(0, 5, size=(rows, shape.features_all), dtype=np.int8)
    signal = (features[:, :INFORMATIVE].astype(np.float32) - 2) @ weights
    ids = [f"n{value:015x}" for value in range(id_start, id_start + rows)]
    frame = pd.DataFrame(features, columns=shape.feature_names, index=pd.Index(ids, name="id"))
    frame.insert(0, "data_type", data_type)
    frame.insert(0, "era", era)
    for name, values in target_values(rng, shape, signal, with_targets).items():
        frame[name] = values
    benchmarks = pd.DataFrame(index=frame.index)
    benchmarks["era"] = era
    for number, name in enumerate(shape.benchmarks):
        guess = signal + rng.normal(0, 3.0 + number, rows)
        benchmarks[name] = (pd.Series(guess).rank(pct=True).to_numpy()).astype(np.float32)
    return frame, benchmarks


def target_values(rng: np.random.Generator, shape: Shape, signal: np.ndarray[Any, Any],
                  with_targets: bool) -> dict[str, Any]:
    """{target: values} of one era: the payout target with the most signal and its alias a copy of it,
    the others noisier and with gaps, as auxiliary targets have."""
    main = shape.payout_target or shape.targets[0]
    others = [name for name in shape.targets if name not in (main, shape.alias_target)]
    values = {}
    for number, name in enumerate([main, *others]):
        if not with_targets:
            values[name] = np.full(len(signal), np.nan, dtype=np.float32)
            continue
        noise = 12.0 + 18.0 * number / max(len(others), 1)
        values[name] = to_bins(signal + rng.normal(0, noise, len(signal))).astype(np.float32)
        if number:
            values[name][rng.random(len(signal)) < 0.1] = np.nan
    if shape.alias_target in shape.targets:
        values[shape.alias_target] = values[main].copy()
    return {name: values[name] for name in shape.targets}


@contextmanager
def parquet_stream(path: Path, row_group_rows: int = ROW_GROUP_ROWS) -> Iterator[Callable[[pd.DataFrame], None]]:
    """A `write(frame)` that appends frames to `path` in row groups of whole frames (eras) of about
    `row_group_rows` rows; the file appears only when complete."""
    pending: list[pa.Table] = []
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


def write_parquet(path: Path, blocks: Iterable[pd.DataFrame]) -> None:
    """Stream frames into one parquet file (see parquet_stream) through a temporary file."""
    with parquet_stream(path) as write:
        for block in blocks:
            write(block)


def meta_model_block(rng: np.random.Generator, benchmarks: pd.DataFrame) -> pd.DataFrame:
    """The meta model's predictions for one era: a noisy blend of the benchmark models, as ranks."""
    columns = [name for name in benchmarks.columns if name != "era"]
    blend = benchmarks[columns].mean(axis=1).to_numpy() + rng.normal(0, 0.1, len(benchmarks))
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
    metadata = {"feature_sets": feature_sets(shape), "targets": list(shape.targets)}
    write_atomic(folder / files.FEATURES_JSON, json.dumps(metadata, indent=1))
    write_atomic(folder / SHAPE_RECORD, json.dumps(asdict(shape), indent=1))
    return folder


# What names a dataset: a cached one whose record differs in these is written again.
NAMING_FIELDS = ("other_sets", "targets", "payout_target", "alias_target", "benchmarks", "meta_model")


def names_of(record: dict[str, Any]) -> list[Any]:
    sets = [name for name, _ in record.get("other_sets") or []]
    return [sets, *(list(value) if isinstance(value, (list, tuple)) else value
                    for value in (record.get(key) for key in NAMING_FIELDS[1:]))]


def named_like(folder: Path, shape: Shape) -> bool:
    """Whether the dataset in `folder` has the names of `shape` (its feature sets, targets, benchmark
    columns, meta model), whatever its size: one written by an older release or for another version
    file does not."""
    try:
        written = json.loads((folder / SHAPE_RECORD).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(written, dict) and names_of(written) == names_of(asdict(shape))


def ensure_synthetic(folder: Path, shape: Shape = Shape()) -> Path:
    """The synthetic dataset in `folder`, written once and reused while it has the names of `shape`
    (its size may differ: the benchmarks write Numerai's full shape there first)."""
    folder = Path(folder)
    if all((folder / name).exists() for name in expected_files(shape)) and named_like(folder, shape):
        log.info(f"data: synthetic dataset in {folder} (cached)")
        return folder
    log.info(f"data: writing a synthetic dataset to {folder}")
    return write_dataset(folder, shape)
