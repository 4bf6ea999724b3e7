"""Read only the columns a model needs, features as int8, eras subsampled before any copy."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

# Rows decoded at a time when streaming a file into a matrix: a few MB of any feature set.
BATCH_ROWS = 16_384


def feature_metadata(features_json: Path) -> dict[str, Any]:
    metadata: dict[str, Any] = json.loads(Path(features_json).read_text(encoding="utf-8"))
    return metadata


def feature_list(features_json: Path, feature_set: str) -> list[str]:
    return list(feature_metadata(features_json)["feature_sets"][feature_set])


def select_eras(eras: list[str], era_step: int = 1, max_eras: int | None = None) -> list[str]:
    """Every `era_step`-th era counted back from the latest, at most `max_eras` of them, in order."""
    ordered = sorted(eras)
    chosen = ordered[::-1][::era_step]
    if max_eras:
        chosen = chosen[:max_eras]
    return sorted(chosen)


def read_eras(path: Path) -> list[str]:
    column = pq.read_table(path, columns=["era"]).column("era")
    return [str(era) for era in column.unique().to_pylist()]


def read_frame(path: Path, features: list[str], columns: list[str], eras: list[str] | None = None) -> pd.DataFrame:
    """Rows of `eras` (all when None) with `features` as int8 and the other `columns` as stored."""
    wanted = list(dict.fromkeys([*features, *columns]))
    filters = [("era", "in", list(eras))] if eras is not None else None
    table = pq.read_table(path, columns=wanted, filters=filters, use_pandas_metadata=True)
    frame = table.to_pandas()
    del table
    for name in features:
        if frame[name].dtype != np.int8:
            frame[name] = frame[name].astype(np.int8)
    return frame


def row_groups_with(parquet: pq.ParquetFile, eras: list[str] | None) -> tuple[list[int], np.ndarray[Any, Any] | None]:
    """The row groups holding any row of `eras` and the row mask over just those groups, reading
    only the `era` column; all groups and no mask when `eras` is None."""
    groups = list(range(parquet.num_row_groups))
    if eras is None:
        return groups, None
    wanted = pa.array([str(era) for era in eras], type=pa.string())
    column = parquet.read(columns=["era"]).column("era").cast(pa.string())
    # ChunkedArray.to_numpy takes no arguments before pyarrow 13 and always copies.
    mask = pc.is_in(column, value_set=wanted).to_numpy()
    bounds = np.cumsum([0, *(parquet.metadata.row_group(group).num_rows for group in groups)])
    parts = [mask[bounds[group]: bounds[group + 1]] for group in groups]
    kept = [group for group in groups if parts[group].any()]
    return kept, np.concatenate([parts[group] for group in kept]) if kept else np.zeros(0, dtype=bool)


def selected_batches(path: Path, groups: list[int], mask: np.ndarray[Any, Any] | None, columns: list[str], *,
                     index: bool = False, batch_rows: int = BATCH_ROWS) -> Iterator[Any]:
    """Record batches of `columns` holding only the rows `mask` keeps, in file order."""
    if not groups:
        return
    offset = 0
    parquet = pq.ParquetFile(path)
    try:
        for batch in parquet.iter_batches(batch_size=batch_rows, row_groups=groups, columns=columns,
                                          use_pandas_metadata=index):
            if mask is not None:
                keep = mask[offset: offset + batch.num_rows]
                offset += batch.num_rows
                if not keep.all():
                    batch = batch.filter(pa.array(keep))
            if batch.num_rows:
                yield batch
    finally:
        # The reader's buffers (a few hundred KB per column read) go back to the system, not to
        # pyarrow's allocator for later.
        del parquet
        pa.default_memory_pool().release_unused()


def int8_block(batch: pa.RecordBatch, features: list[str]) -> np.ndarray[Any, Any]:
    """The batch's `features` as an int8 (rows, features) array, each column copied whole."""
    block = np.empty((batch.num_rows, len(features)), dtype=np.int8, order="F")
    for position, name in enumerate(features):
        # An int8 column is a zero-copy view; another integer type is cast on assignment.
        block[:, position] = batch.column(name).to_numpy(zero_copy_only=False)
    return block


class LazyRows:
    """An int8 feature matrix whose rows are read only when asked for (see ParquetFeatures).

    Streaming consumers (LightGBM's dataset construction) take it in `batches()`, `take()` a few
    rows, `subset()` or `select()` it unread; anything else gets the matrix through `np.asarray`,
    indexing or `materialize()`. Subclasses give `rows`, `features`, `batches`, `take` and `subset`.
    """

    dtype = np.dtype(np.int8)
    ndim = 2

    if TYPE_CHECKING:  # given by the subclasses
        rows: int
        features: list[str]

        def batches(self) -> Iterator[np.ndarray[Any, Any]]: ...
        def take(self, positions: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]: ...
        def subset(self, positions: np.ndarray[Any, Any]) -> LazyRows: ...
        def select(self, columns: slice) -> LazyRows: ...

    @property
    def shape(self) -> tuple[int, int]:
        return self.rows, len(self.features)

    @property
    def nbytes(self) -> int:
        return self.rows * len(self.features)

    def __len__(self) -> int:
        return self.rows

    def materialize(self, dtype: Any = np.int8, order: Literal["C", "F"] = "F") -> np.ndarray[Any, Any]:
        """The whole matrix (column-major unless `order` says) as `dtype`, allocated once and filled
        batch by batch."""
        matrix = np.empty(self.shape, dtype=dtype, order=order)
        filled = 0
        for block in self.batches():
            matrix[filled: filled + len(block)] = block
            filled += len(block)
        if filled != self.rows:
            raise ValueError(f"{self}: expected {self.rows} rows of the selected eras, read {filled}")
        return matrix

    def __array__(self, dtype: Any = None, copy: bool | None = None) -> np.ndarray[Any, Any]:
        return self.materialize(np.int8 if dtype is None else dtype)

    def __getitem__(self, index: Any) -> Any:
        """Rows by a boolean mask or sorted positions are read alone; anything else via the matrix."""
        if isinstance(index, np.ndarray) and index.dtype == bool and index.shape == (self.rows,):
            index = np.flatnonzero(index)
        if isinstance(index, np.ndarray) and index.dtype.kind in "iu" and index.ndim == 1 and (
                len(index) == 0 or (index[0] >= 0 and (np.diff(index) > 0).all())):
            return self.subset(index).materialize()
        return self.materialize()[index]


class ParquetFeatures(LazyRows):
    """The int8 feature matrix of the chosen rows of a parquet file, read only when asked for, so
    the whole matrix never has to be in memory. Rows are in file order."""

    def __init__(self, path: Path, features: list[str], groups: list[int], mask: np.ndarray[Any, Any] | None,
                 rows: int, batch_rows: int = BATCH_ROWS):
        self.path, self.features, self.groups, self.mask = Path(path), list(features), groups, mask
        self.rows, self.batch_rows = rows, batch_rows

    def __repr__(self) -> str:
        return f"{self.path} ({self.rows} rows x {len(self.features)} features)"

    @classmethod
    def open(cls, path: Path, features: list[str], eras: list[str] | None = None,
             batch_rows: int = BATCH_ROWS) -> ParquetFeatures:
        parquet = pq.ParquetFile(path)
        groups, mask = row_groups_with(parquet, eras)
        rows = (sum(parquet.metadata.row_group(group).num_rows for group in groups) if mask is None
                else int(mask.sum()))
        return cls(path, features, groups, mask, rows, batch_rows)

    def batches(self) -> Iterator[np.ndarray[Any, Any]]:
        """Consecutive int8 blocks of the chosen rows, a batch of the file at a time."""
        for batch in selected_batches(self.path, self.groups, self.mask, self.features,
                                      batch_rows=self.batch_rows):
            yield int8_block(batch, self.features)

    def take(self, positions: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
        """Rows at sorted `positions` (among the chosen rows) as an int8 matrix, in one pass."""
        positions = np.asarray(positions, dtype=np.int64)
        out = np.empty((len(positions), len(self.features)), dtype=np.int8)
        if not len(positions):
            return out
        start = done = 0
        for block in self.batches():
            stop = start + len(block)
            upto = int(np.searchsorted(positions, stop))
            if upto > done:
                out[done:upto] = block[positions[done:upto] - start]
                done = upto
            start = stop
            if done == len(positions):
                break
        return out

    def subset(self, positions: np.ndarray[Any, Any]) -> ParquetFeatures:
        """The rows at sorted `positions` among the chosen ones, still unread."""
        metadata = pq.ParquetFile(self.path).metadata
        total = sum(metadata.row_group(group).num_rows for group in self.groups)
        chosen = np.arange(total) if self.mask is None else np.flatnonzero(self.mask)
        mask = np.zeros(total, dtype=bool)
        mask[chosen[np.asarray(positions, dtype=np.int64)]] = True
        return type(self)(self.path, self.features, self.groups, mask, int(mask.sum()), self.batch_rows)

    def select(self, columns: slice) -> ParquetFeatures:
        """The same rows with only `columns` of the features (a slice of their positions), unread."""
        return type(self)(self.path, self.features[columns], self.groups, self.mask, self.rows, self.batch_rows)


class ConcatenatedRows(LazyRows):
    """The rows of several lazy matrices one after the other (train rows, then validation rows),
    still unread: what `np.concatenate` would give, without reading anything."""

    def __init__(self, parts: list[LazyRows]):
        self.parts = list(parts)
        self.features = list(self.parts[0].features)
        self.bounds = np.cumsum([0, *(len(part) for part in self.parts)])
        self.rows = int(self.bounds[-1])

    def __repr__(self) -> str:
        return " + ".join(repr(part) for part in self.parts)

    def batches(self) -> Iterator[np.ndarray[Any, Any]]:
        for part in self.parts:
            yield from part.batches()

    def split(self, positions: np.ndarray[Any, Any]) -> list[np.ndarray[Any, Any]]:
        """Sorted `positions` as positions within each part."""
        positions = np.asarray(positions, dtype=np.int64)
        cuts = np.searchsorted(positions, self.bounds)
        return [positions[cuts[i]: cuts[i + 1]] - self.bounds[i] for i in range(len(self.parts))]

    def take(self, positions: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
        return np.concatenate([part.take(chosen) for part, chosen in zip(self.parts, self.split(positions),
                                                                          strict=True)])

    def subset(self, positions: np.ndarray[Any, Any]) -> ConcatenatedRows:
        return ConcatenatedRows([part.subset(chosen) for part, chosen in zip(self.parts, self.split(positions),
                                                                              strict=True)])

    def select(self, columns: slice) -> ConcatenatedRows:
        return ConcatenatedRows([part.select(columns) for part in self.parts])


def read_columns(path: Path, columns: list[str], eras: list[str] | None = None, *,
                 index: bool = False) -> pd.DataFrame:
    """`columns` of the rows of `eras` (plus the `id` index when `index`) as a frame, in file order."""
    parquet = pq.ParquetFile(path)
    groups, mask = row_groups_with(parquet, eras)
    batches = list(selected_batches(path, groups, mask, list(columns), index=index))
    if batches:
        return pa.Table.from_batches(batches).to_pandas()
    return pq.read_table(path, columns=list(columns), use_pandas_metadata=index).slice(0, 0).to_pandas()


def read_training(path: Path, features: list[str], columns: list[str], eras: list[str] | None = None, *,
                  index: bool = False) -> tuple[ParquetFeatures, pd.DataFrame]:
    """The features of the rows of `eras`, unread (see ParquetFeatures), and `columns` of the same
    rows as a frame. Row groups without a wanted era are never decoded."""
    others = list(dict.fromkeys(name for name in columns if name not in features))
    return ParquetFeatures.open(path, features, eras), read_columns(path, others, eras, index=index)


def read_matrix(path: Path, features: list[str], columns: list[str], eras: list[str] | None = None, *,
                index: bool = False) -> tuple[np.ndarray[Any, Any], pd.DataFrame]:
    """As `read_training`, with the features read into one int8 matrix (rows, features): memory
    peaks at the int8 size of what was asked for, plus one batch."""
    source, frame = read_training(path, features, columns, eras, index=index)
    return source.materialize(), frame


def read_benchmark_frame(path: Path, columns: list[str]) -> pd.DataFrame:
    """Benchmark model columns by id, as stored (the pickle aligns them itself, as on Numerai)."""
    return pq.read_table(path, columns=list(columns), use_pandas_metadata=True).to_pandas()


def read_benchmarks(path: Path, columns: list[str], index: pd.Index) -> pd.DataFrame:
    """Benchmark model columns aligned to `index`; rows without a value get the neutral 0.5."""
    frame = read_benchmark_frame(path, columns)
    return frame.reindex(index)[list(columns)].fillna(0.5).astype(np.float32)
