"""The live data a check feeds the pickle: Numerai's own when cached, else live-shaped synthetic data.

In order: files named on the command line; the cached live.parquet and live_benchmark_models.parquet
of the manifest's data version (real data for a pickle trained on real data, the synthetic dataset's
for one trained on synthetic data); else one era of generated rows with the manifest's features,
written once per feature list under the data cache.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..artifact.manifest import Manifest
from ..data import files
from ..errors import UsageError

# pandas, numpy and the data modules (numerapi, pyarrow) are imported where data is generated or
# looked up: a warm check of a cached dataset should not pay for them at start-up.

GENERATED_ROWS = 5000  # about the size of a real live era
GENERATED_FOLDER = "check-live"


@dataclass(frozen=True)
class LiveData:
    dataset: Path
    benchmarks: Path
    source: str


def dataset_folder(cache: Path, version: str, synthetic: bool) -> Path:
    """data.download.version_dir's layout (a test holds them equal), without importing numerapi."""
    return Path(cache) / (f"synthetic-{version}" if synthetic else version)


def pair_in(folder: Path) -> tuple[Path, Path] | None:
    dataset, benchmarks = folder / files.LIVE, folder / files.LIVE_BENCHMARKS
    return (dataset, benchmarks) if dataset.is_file() and benchmarks.is_file() else None


def explicit(dataset: str, benchmarks: str | None) -> LiveData:
    dataset_path = Path(dataset)
    benchmark_path = Path(benchmarks) if benchmarks else dataset_path.with_name(files.LIVE_BENCHMARKS)
    for flag, path in (("--dataset", dataset_path), ("--benchmarks", benchmark_path)):
        if not path.is_file():
            raise UsageError(f"{flag} {path}: no such file ==> pass an existing parquet file")
    return LiveData(dataset_path, benchmark_path, f"live data from {dataset_path}")


def live_frames(features: list[str], benchmark_columns: list[str], rows: int = GENERATED_ROWS,
                seed: int = 0) -> tuple[Any, Any]:
    """One live era: ids as the index, era, data_type, int8 features in 0..4; benchmark predictions."""
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(seed)
    index = pd.Index([f"n{value:015x}" for value in rng.choice(2**48, size=rows, replace=False)], name="id")
    values = rng.integers(0, 5, size=(rows, len(features)), dtype=np.int8)
    live = pd.DataFrame(values, columns=features, index=index)
    live.insert(0, "data_type", "live")
    live.insert(0, "era", "X")
    benchmarks = pd.DataFrame({name: rng.random(rows).astype(np.float32) for name in benchmark_columns}, index=index)
    benchmarks.insert(0, "era", "X")
    return live, benchmarks


def generated(cache: Path, features: list[str], benchmark_columns: list[str]) -> tuple[Path, Path]:
    """Generated live files for this feature list, written once and reused."""
    key = hashlib.sha256(json.dumps([features, benchmark_columns]).encode()).hexdigest()[:12]
    folder = Path(cache) / GENERATED_FOLDER / key
    found = pair_in(folder)
    if found:
        return found
    from ..data.synthetic import write_parquet

    live, benchmarks = live_frames(features, benchmark_columns)
    folder.mkdir(parents=True, exist_ok=True)
    write_parquet(folder / files.LIVE_BENCHMARKS, [benchmarks])
    write_parquet(folder / files.LIVE, [live])  # written last: its presence means both are complete
    return folder / files.LIVE, folder / files.LIVE_BENCHMARKS


def live_data(cache: Path, manifest: Manifest | None, dataset: str | None = None,
              benchmarks: str | None = None) -> LiveData:
    if dataset:
        return explicit(dataset, benchmarks)
    if benchmarks:
        raise UsageError("--benchmarks was given without --dataset ==> pass both, or neither")
    version = manifest.data.version if manifest else None
    synthetic = bool(manifest and manifest.data.synthetic)
    if version:
        found = pair_in(dataset_folder(cache, version, synthetic))
        if found:
            kind = "synthetic" if synthetic else "Numerai's"
            return LiveData(*found, f"{kind} {version} live data (cached)")
    from ..data.synthetic import BENCHMARKS, Shape

    features = list((manifest.features if manifest else None) or Shape().feature_names)
    columns = sorted({*BENCHMARKS, *(manifest.benchmark_inputs if manifest else [])})
    dataset_path, benchmark_path = generated(cache, features, columns)
    return LiveData(dataset_path, benchmark_path, f"generated live-shaped data ({len(features)} features)")
