"""Read only the columns a model needs, features as int8, eras subsampled before any copy."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.parquet as pq


def feature_metadata(features_json: Path) -> dict:
    return json.loads(Path(features_json).read_text(encoding="utf-8"))


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


def read_benchmarks(path: Path, columns: list[str], index: pd.Index) -> pd.DataFrame:
    """Benchmark model columns aligned to `index`; rows without a value get the neutral 0.5."""
    frame = pq.read_table(path, columns=list(columns), use_pandas_metadata=True).to_pandas()
    return frame.reindex(index)[list(columns)].fillna(0.5).astype(np.float32)
