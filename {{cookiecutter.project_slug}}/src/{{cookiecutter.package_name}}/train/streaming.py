"""A LightGBM training dataset built without a whole float copy of the data, in column chunks.

`lightgbm.Dataset(matrix)` converts a non-float matrix to float32 in one piece: 4 bytes per value
where the data takes one (over 8 GB for Numerai's 2.7M rows by its medium feature set), on top of
LightGBM's own binned copy. Instead:

1. the bin boundaries come from a sample of rows (what LightGBM samples anyway, at most
   `bin_construct_sample_cnt` rows), turned into a small "reference" dataset;
2. the full dataset takes the reference's bins and is filled from a `lightgbm.Sequence` that
   hands LightGBM consecutive rows a float32 batch at a time;
3. when the data is large, steps 1 and 2 run on a chunk of columns at a time and each chunk joins
   the dataset through `Dataset.add_features_from`. LightGBM stores a feature of at most 16 bins
   (Numerai's five values) in 4 bits, half a byte per value, but while it fills a dataset it keeps a
   second half-byte buffer per feature that it never gives back: a dataset built in one piece stays
   at a byte per value. `add_features_from` copies the packed bins without that buffer, so the
   finished dataset takes half a byte per value, plus one chunk while it is being built.

The rows come from a source: an int8 matrix in memory (`ArrayRows`), or the parquet file itself
(`data.read.ParquetFeatures`), in which case the features are never in memory all at once. A source
has `shape`, `len()`, `batches()` (consecutive int8 blocks), `take(sorted positions)`,
`subset(sorted positions)` and `select(column slice)`.
All steps are LightGBM's public API (4.0 and later). Every chunk's bins come from the same sampled
rows and features keep their order and names, so the model is the one trained on the dataset built
in one piece; when there are no more rows than the sample, the one trained on
`lightgbm.Dataset(float32)`.
"""

from __future__ import annotations

import ctypes
import warnings
from collections.abc import Iterator
from typing import Any

import lightgbm
import numpy as np

# Rows handed to LightGBM at a time: a float32 batch of a few tens of MB at most.
BATCH_ROWS = 8192
LIGHTGBM_SAMPLE_ROWS = 200_000  # LightGBM's default bin_construct_sample_cnt
# Values (rows x columns) of one column chunk: LightGBM holds a byte per value of the chunk being
# built, on top of half a byte per value of the dataset so far (2.7M rows: 49 columns a chunk).
CHUNK_VALUES = 128 * 2**20
# Parameters that name features by position or need the raw values: a dataset under any of them is
# built in one piece (a chunk would read them against its own columns).
WHOLE_DATASET_PARAMS = (
    "categorical_feature", "cat_feature", "categorical_column", "cat_column", "categorical_features",
    "monotone_constraints", "mc", "monotone_constraint", "monotonic_cst", "max_bin_by_feature",
    "forcedbins_filename", "feature_contri", "feature_contrib", "fc", "fp", "feature_penalty",
    "interaction_constraints", "forcedsplits_filename", "fs", "forced_splits_filename", "forced_splits_file",
    "forced_splits", "linear_tree", "linear_trees",
)


class ArrayRows:
    """A row source over a matrix in memory (only `rows` and `columns` of it when given)."""

    def __init__(self, matrix: np.ndarray[Any, Any], rows: np.ndarray[Any, Any] | None = None,
                 batch_rows: int = BATCH_ROWS,
                 columns: slice | None = None):
        self.matrix, self.rows, self.batch_rows = matrix, rows, batch_rows
        self.columns = columns if columns is not None else slice(0, matrix.shape[1])

    def __len__(self) -> int:
        return len(self.matrix) if self.rows is None else len(self.rows)

    @property
    def shape(self) -> tuple[int, int]:
        return len(self), len(range(*self.columns.indices(self.matrix.shape[1])))

    def take(self, positions: Any) -> np.ndarray[Any, Any]:
        picked: np.ndarray[Any, Any] = (self.matrix[positions] if self.rows is None
                                        else self.matrix[self.rows[positions]])
        return picked[:, self.columns]

    def batches(self) -> Iterator[np.ndarray[Any, Any]]:
        for start in range(0, len(self), self.batch_rows):
            yield self.take(slice(start, start + self.batch_rows) if self.rows is None
                            else np.arange(start, min(start + self.batch_rows, len(self))))

    def subset(self, positions: np.ndarray[Any, Any]) -> ArrayRows:
        positions = np.asarray(positions, dtype=np.int64)
        return ArrayRows(self.matrix, positions if self.rows is None else self.rows[positions], self.batch_rows,
                         self.columns)

    def select(self, columns: slice) -> ArrayRows:
        start, stop, _ = columns.indices(self.shape[1])
        offset = self.columns.indices(self.matrix.shape[1])[0]
        return ArrayRows(self.matrix, self.rows, self.batch_rows, slice(offset + start, offset + stop))


def is_source(inputs: Any) -> bool:
    """Whether `inputs` is a row source (read in batches) rather than a matrix."""
    return all(hasattr(inputs, name) for name in ("batches", "take", "subset", "select"))


def row_source(inputs: Any, rows: np.ndarray[Any, Any] | None = None) -> Any:
    """What to stream `inputs` from: a parquet-backed matrix stays on disk, an array stays as is."""
    if is_source(inputs):
        return inputs if rows is None else inputs.subset(rows)
    return ArrayRows(inputs, rows)


class SourceRows(lightgbm.Sequence):
    """Consecutive rows of a source as float32 arrays, read forward as LightGBM asks for them."""

    batch_size = BATCH_ROWS

    def __init__(self, source: Any) -> None:
        self.source = source
        self.restart()

    def __len__(self) -> int:
        return len(self.source)

    def restart(self) -> None:
        self.stream: Iterator[np.ndarray[Any, Any]] = iter(self.source.batches())
        self.pending: np.ndarray[Any, Any] | None = None
        self.position = 0

    def __getitem__(self, index: Any) -> np.ndarray[Any, Any]:
        if not isinstance(index, slice) or index.step not in (None, 1):
            raise TypeError("rows are read in order, by slices: sample them with the source's take()")
        start, stop, _ = index.indices(len(self))
        if start < self.position:
            self.restart()
        self.read(start - self.position)  # skips forward; LightGBM never does
        return self.read(stop - start)

    def read(self, count: int) -> np.ndarray[Any, Any]:
        out = np.empty((count, self.source.shape[1]), dtype=np.float32)
        filled = 0
        while filled < count:
            pending = self.pending if self.pending is not None and len(self.pending) else next(self.stream)
            part = pending[: count - filled]
            out[filled: filled + len(part)] = part
            self.pending = pending[len(part):]
            filled += len(part)
        self.position += count
        return out


def sample_positions(total: int, count: int, seed: int) -> np.ndarray[Any, Any]:
    """`count` sorted row positions out of `total` (all of them when there are no more)."""
    if total <= count:
        return np.arange(total)
    return np.sort(np.random.default_rng(seed).choice(total, size=count, replace=False))


def sample_count(params: dict[str, Any]) -> int:
    return int(params.get("bin_construct_sample_cnt", params.get("subsample_for_bin", LIGHTGBM_SAMPLE_ROWS)))


def bin_reference(source: Any, params: dict[str, Any], seed: int) -> lightgbm.Dataset:
    """A dataset of sampled rows whose bin boundaries the full dataset takes over."""
    sample = np.ascontiguousarray(source.take(sample_positions(len(source), sample_count(params), seed)),
                                  dtype=np.float32)
    return lightgbm.Dataset(sample, params=params, free_raw_data=True).construct()


def column_chunks(rows: int, columns: int, chunk_values: int | None = None) -> list[slice]:
    """The column slices a dataset of `rows` x `columns` is built in: one when it is small enough.

    The first chunk is a single column: the dataset the others join keeps LightGBM's fill buffer.
    """
    per_chunk = max(1, (chunk_values or CHUNK_VALUES) // max(rows, 1))
    if columns <= per_chunk:
        return [slice(0, columns)]
    return [slice(0, 1), *(slice(start, min(start + per_chunk, columns)) for start in range(1, columns, per_chunk))]


def release_freed_memory() -> None:
    """Give the memory the C heap keeps after LightGBM's frees back to the system (glibc only)."""
    try:
        ctypes.CDLL(None).malloc_trim(0)
    except (AttributeError, OSError):
        pass


def chunk_dataset(source: Any, positions: np.ndarray[Any, Any], columns: slice, target: np.ndarray[Any, Any] | None,
                  params: dict[str, Any]) -> lightgbm.Dataset:
    """The constructed dataset of `columns` of `source`, binned on the rows at `positions`.

    Both passes read only these columns: a reader's buffers grow with the columns it decodes at once.
    """
    part = source.select(columns)
    names = [f"Column_{index}" for index in range(columns.start, columns.stop)]  # LightGBM's own names
    sample = np.ascontiguousarray(part.take(positions), dtype=np.float32)
    reference = lightgbm.Dataset(sample, params=params, feature_name=names, free_raw_data=True).construct()
    del sample
    dataset = lightgbm.Dataset(SourceRows(part), label=target, reference=reference, params=params,
                               feature_name=names, free_raw_data=True).construct()
    dataset.reference = None  # its bins are the dataset's own now
    return dataset


def streamed_dataset(inputs: Any, target: np.ndarray[Any, Any], params: dict[str, Any], seed: int,
                     rows: np.ndarray[Any, Any] | None = None,
                     chunk_values: int | None = None) -> lightgbm.Dataset:
    """The training dataset of `inputs` (only `rows` of them when given) for `target`, built in batches
    and, when large, in column chunks (`chunk_values` values at most per chunk; CHUNK_VALUES)."""
    source = row_source(inputs, rows)
    chunks = column_chunks(len(source), source.shape[1], chunk_values)
    if len(chunks) == 1 or any(key in params for key in WHOLE_DATASET_PARAMS):
        reference = bin_reference(source, params, seed)
        return lightgbm.Dataset(SourceRows(source), label=target, reference=reference, params=params,
                                free_raw_data=True)
    positions = sample_positions(len(source), sample_count(params), seed)
    dataset: lightgbm.Dataset | None = None
    for columns in chunks:
        part = chunk_dataset(source, positions, columns, target if dataset is None else None, params)
        if dataset is None:
            dataset = part
            continue
        with warnings.catch_warnings():
            # "Cannot add features from NoneType type of raw data": there is no raw data, by design.
            warnings.simplefilter("ignore")
            dataset.add_features_from(part)
        del part
        release_freed_memory()
    assert dataset is not None  # column_chunks gives at least one chunk
    return dataset
