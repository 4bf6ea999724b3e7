"""Build one slot: data, training, the pickle and its manifest in `dist/`."""

from __future__ import annotations

import hashlib
import io
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

import numpy as np
import pandas as pd
import pyarrow.parquet as pq

from ..bundle.predictor import predict_frame
from ..data import files
from ..data.read import (
    ConcatenatedRows,
    LazyRows,
    feature_list,
    read_benchmark_frame,
    read_benchmarks,
    read_columns,
    read_eras,
    read_frame,
    read_training,
    select_eras,
)
from ..files import write_atomic
from ..kinds import fit_model
from ..logs import get_logger
from ..modelspec import LoadedSpec, SpecError
from ..modelspec.model import targets_used
from ..modelspec.rules import data_problems
from ..modelspec.versions import benchmark_problems
from ..repo import Repo
from ..runtimes import Runtime
from ..runtimes.environments import environment_record
from ..train.ensemble import TrainingSet
from .environment import refuse_mismatch
from .fingerprint import fingerprint
from .manifest import Manifest, build_manifest, write_build
from .pickler import pickle_bytes_of
from .prepared import Dataset, needed_files, prepare

log = get_logger(__name__)


@dataclass(frozen=True)
class BuildResult:
    slot: str
    fingerprint: str
    pickle_path: Path
    manifest_path: Path
    manifest: Manifest


def training_set(folder: Dataset, loaded: LoadedSpec, features: list[str], data_file: str,
                 benchmark_file: str, eras: list[str] | None) -> TrainingSet:
    spec = loaded.spec
    targets = targets_used(spec)
    # Features stay int8 and on disk until a model reads them (LightGBM streams them in batches;
    # other estimators get float32 rows); only the rows of the chosen eras are ever decoded.
    inputs: LazyRows | np.ndarray[Any, Any]
    inputs, frame = read_training(folder / data_file, features, ["era", *targets], eras,
                                  index=bool(spec.predict.benchmark_inputs))
    names = list(features)
    if spec.predict.benchmark_inputs:
        benchmarks = read_benchmarks(folder / benchmark_file, spec.predict.benchmark_inputs, frame.index)
        # One float32 matrix, features filled batch by batch (no int8 copy first), then the benchmarks.
        matrix = np.empty((len(inputs), len(features) + len(benchmarks.columns)), dtype=np.float32)
        filled = 0
        for block in inputs.batches():
            matrix[filled: filled + len(block), : len(features)] = block
            filled += len(block)
        matrix[:, len(features):] = benchmarks.to_numpy()
        inputs = matrix
        names += spec.predict.benchmark_inputs
    data = TrainingSet(
        inputs=inputs,
        targets={target: frame[target].to_numpy(dtype=np.float32) for target in targets},
        eras=frame["era"].astype(str).to_numpy(),
        input_names=names,
    )
    return data


def eras_with_target(path: Path, target: str) -> list[str]:
    """Eras of `path` in which some row has `target` (the latest validation eras have none yet)."""
    frame = read_columns(path, ["era", target])
    return sorted(str(era) for era in frame.loc[frame[target].notna(), "era"].unique())


def concatenate(parts: list[TrainingSet]) -> TrainingSet:
    """Train and validation rows as one training set. Features still on disk stay there (one lazy
    matrix over both files); in-memory inputs (with benchmark columns) are concatenated."""
    if len(parts) == 1:
        return parts[0]
    lazy = all(isinstance(part.inputs, LazyRows) for part in parts)
    return TrainingSet(
        inputs=(ConcatenatedRows([part.inputs for part in parts]) if lazy
                else np.concatenate([np.asarray(part.inputs) for part in parts])),
        targets={name: np.concatenate([part.targets[name] for part in parts]) for name in parts[0].targets},
        eras=np.concatenate([part.eras for part in parts]),
        input_names=parts[0].input_names,
    )


def training_data(folder: Dataset, loaded: LoadedSpec, features: list[str], eras: list[str],
                  validation_eras: set[str]) -> TrainingSet:
    """Rows of the chosen `eras`, from train.parquet and, for eras of `validation_eras`, validation.parquet."""
    sources = [(files.TRAIN, files.TRAIN_BENCHMARKS, [era for era in eras if era not in validation_eras]),
               (files.VALIDATION, files.VALIDATION_BENCHMARKS, [era for era in eras if era in validation_eras])]
    return concatenate([training_set(folder, loaded, features, data_file, benchmark_file, chosen)
                        for data_file, benchmark_file, chosen in sources if chosen])


def data_stamp(folder: Dataset, loaded: LoadedSpec, eras: list[str]) -> str:
    """What the model learned from: each file's row count and the eras chosen. A retrain on the same
    data has the same stamp; new eras with targets (a growing validation file) give a new one."""
    digest = hashlib.sha256()
    for name in needed_files(loaded)[1:]:
        digest.update(f"{name}:{pq.ParquetFile(folder / name).metadata.num_rows};".encode())
    digest.update(",".join(eras).encode())
    return digest.hexdigest()[:8]


# Validation eras scored per pass: memory stays at a slice of the file, whatever the number of eras
# Numerai has added: at most 25 eras and, for wide feature sets, about VALIDATION_VALUES_PER_PASS
# feature values (held as int8 and as the float32 matrix the pickle predicts on: ~250 MB in all).
# Eras are scored one by one, so the grouping never changes the scores.
VALIDATION_ERAS_PER_PASS = 25
VALIDATION_VALUES_PER_PASS = 50_000_000
# Columns of a benchmark or meta model file that are not a model's predictions.
NOT_PREDICTIONS = {"era", "data_type", "id"}


def prediction_columns(path: Path) -> list[str]:
    return [name for name in pq.ParquetFile(path).schema_arrow.names
            if name not in NOT_PREDICTIONS and not name.startswith("__")]


def benchmark_model(columns: list[str], target: str) -> str | None:
    """The benchmark model BMC is scored against: the one trained on the spec's target when the
    file has it (`target_x_20` -> `..._x20`), else the file's first."""
    short = target.removeprefix("target_").replace("_", "")
    return next((name for name in columns if name.endswith(short)), columns[0] if columns else None)


def scoring_references(folder: Dataset, target: str) -> tuple[dict[str, tuple[Path, str]], dict[str, str]]:
    """{metric column: (file, column)} of the models MMC and BMC are scored against, and
    {metric: why not} for those the dataset version lacks."""
    from ..train import metrics

    references, missing = {}, {}
    meta = folder / files.META_MODEL
    if meta.exists() and files.META_MODEL_COLUMN in prediction_columns(meta):
        references[metrics.META_MODEL] = (meta, files.META_MODEL_COLUMN)
    else:
        missing["mmc"] = f"no {files.META_MODEL} (column {files.META_MODEL_COLUMN}) in this data version"
    benchmarks = folder / files.VALIDATION_BENCHMARKS
    chosen = benchmark_model(prediction_columns(benchmarks), target) if benchmarks.exists() else None
    if chosen:
        references[metrics.BENCHMARK] = (benchmarks, chosen)
    else:
        missing["bmc"] = f"no benchmark model predictions ({files.VALIDATION_BENCHMARKS}) in this data version"
    return references, missing


def reference_values(path: Path, column: str, eras: list[str], index: pd.Index) -> pd.Series:
    """`column` of `path` for the rows of `index` (NaN where the file has no row), reading only the
    row groups of `eras` when the file has an `era` column."""
    has_eras = "era" in pq.ParquetFile(path).schema_arrow.names
    frame = read_columns(path, [column], eras if has_eras else None, index=True)
    return frame[column].reindex(index)


def eras_per_pass(rows: int, eras: int, features: int) -> int:
    """Validation eras read at a time: VALIDATION_ERAS_PER_PASS, fewer when wide eras would hold more
    than VALIDATION_VALUES_PER_PASS feature values."""
    values_per_era = max(rows // max(eras, 1), 1) * max(features, 1)
    return max(1, min(VALIDATION_ERAS_PER_PASS, VALIDATION_VALUES_PER_PASS // values_per_era))


def validation_metrics(folder: Dataset, loaded: LoadedSpec, bundle: dict[str, Any],
                       features: list[str], predictions: list[pd.Series] | None = None) -> dict[str, Any] | None:
    """Score the bundle exactly as the pickle will predict, on validation eras with targets: CORR,
    and MMC and BMC when the version has the meta model and benchmark models (numerai-tools).
    `predictions` (when given) receives the predictions of every validation row, targets or not:
    what `diagnostics` hands Numerai to score."""
    # Numerai's scoring (numerai-tools imports torch: ~0.4 GB) is loaded only to score, after training.
    from ..train import metrics

    spec = loaded.spec
    target = cast(str, spec.data.target)  # a loaded spec names its target
    path = folder / files.VALIDATION
    benchmarks = None
    if spec.predict.benchmark_inputs:
        benchmarks = read_benchmark_frame(folder / files.VALIDATION_BENCHMARKS, spec.predict.benchmark_inputs)
    references, missing = scoring_references(folder, target)
    eras = sorted(read_eras(path))
    per_pass = eras_per_pass(pq.ParquetFile(path).metadata.num_rows, len(eras), len(features))
    scores = []
    for start in range(0, len(eras), per_pass):
        chosen = eras[start:start + per_pass]
        frame = read_frame(path, features, ["era", target], chosen)
        if predictions is not None and not frame.empty:
            made = predict_frame(bundle, frame, benchmarks)["prediction"]
            predictions.append(made.astype("float32"))
            made = made[frame[target].notna().to_numpy()]
        frame = frame[frame[target].notna()]
        if frame.empty:
            continue
        values = made.to_numpy() if predictions is not None else predict_frame(bundle, frame, benchmarks)["prediction"]
        scored = pd.DataFrame({"prediction": np.asarray(values),
                               "target": frame[target].to_numpy(), "era": frame["era"].astype(str).to_numpy()},
                              index=frame.index)
        for name, (reference, column) in references.items():
            scored[name] = reference_values(reference, column, chosen, frame.index).to_numpy()
        scores.append(metrics.per_era_scores(scored))
    if not scores:
        return None
    result = metrics.summary(pd.concat(scores), missing)
    if metrics.BENCHMARK in references:
        result["bmc_benchmark"] = references[metrics.BENCHMARK][1]
    return result


def describe_scores(scores: dict[str, Any]) -> str:
    """'CORR mean 0.0213 std 0.0150 sharpe 1.42; MMC not scored (why)' for the log."""
    from ..train import metrics

    parts = []
    for name in metrics.METRICS:
        if f"{name}_mean" in scores:
            parts.append(f"{name.upper()} mean {scores[f'{name}_mean']:.4f} std {scores[f'{name}_std']:.4f} "
                         f"sharpe {scores[f'{name}_sharpe']}")
        else:
            parts.append(f"{name.upper()} not scored ({scores['not_scored'].get(name, 'unknown')})")
    return "; ".join(parts)


def validation_predictions_path(pickle_path: Path) -> Path:
    """Where a build keeps the validation predictions it scored: `<slot>-<fingerprint>.validation.parquet`."""
    return Path(pickle_path).with_suffix(".validation.parquet")


def write_validation_predictions(parts: list[pd.Series], pickle_path: Path) -> dict[str, Any]:
    """Every validation row's prediction (index `id`, column `prediction`) beside the pickle, for
    `diagnostics` to upload exactly what the build scored; returns the manifest's record of the file."""
    frame = pd.concat(parts).rename("prediction").to_frame()
    frame.index.name = "id"
    buffer = io.BytesIO()
    frame.to_parquet(buffer)
    path = write_atomic(validation_predictions_path(pickle_path), buffer.getvalue())
    return {"file": path.name, "rows": int(len(frame)), "sha256": hashlib.sha256(buffer.getvalue()).hexdigest()}


def build_slot(repo: Repo, loaded: LoadedSpec, runtime: Runtime, *, synthetic: bool, out_dir: Path,
               prepared: Dataset | None = None) -> BuildResult:
    """Train `loaded` and write its pickle and manifest to `out_dir`: on `prepared` (the parent made the data
    ready, prepared.py), else on data this process makes ready first (`--here`)."""
    spec = loaded.spec
    started = time.monotonic()
    print_id = fingerprint(spec, runtime, repo.package_dir, synthetic)
    log.info(f"build {spec.slot}: runtime {runtime.name} ({runtime.reference}), fingerprint {print_id}")
    refuse_mismatch(runtime)  # never a pickle of libraries the image does not have
    folder = prepared if prepared is not None else prepare(repo, loaded, synthetic)
    problems = data_problems(loaded, folder / files.FEATURES_JSON)
    if spec.predict.benchmark_inputs:
        problems += benchmark_problems(loaded, prediction_columns(folder / files.TRAIN_BENCHMARKS),
                                       f"{spec.data.version}'s {files.TRAIN_BENCHMARKS}")
    if problems:
        raise SpecError(problems)
    features = feature_list(folder / files.FEATURES_JSON, spec.data.feature_set)
    validation_eras = (set(eras_with_target(folder / files.VALIDATION, cast(str, spec.data.target)))
                       if spec.data.include_validation else set())
    eras = select_eras([*read_eras(folder / files.TRAIN), *validation_eras], spec.data.era_step, spec.data.max_eras)
    data = training_data(folder, loaded, features, eras, validation_eras)
    stamp = data_stamp(folder, loaded, eras)
    log.info(f"train: {len(data.eras):,} rows, {len(eras)} eras"
        f"{' (validation eras included)' if validation_eras else ''}, {len(features)} features "
        f"({spec.data.feature_set}), target {spec.data.target}, model {spec.model.type}, data stamp {stamp}")
    bundle = {
        "features": features,
        "benchmark_inputs": list(spec.predict.benchmark_inputs),
        "rank_per_era": spec.predict.rank_per_era,
        "model": fit_model(spec.model, data, cast(str, spec.data.target), spec.build.seed),
    }
    rows = len(data.eras)
    del data
    scores: dict[str, Any] | None = None
    predictions: list[pd.Series] = []
    if spec.data.validation_metrics:
        scores = validation_metrics(folder, loaded, bundle, features, predictions)
    pickle_path = Path(out_dir) / f"{spec.slot}-{print_id}.pkl"
    if scores and predictions:
        scores["predictions"] = write_validation_predictions(predictions, pickle_path)
    if scores:
        scores["in_sample"] = bool(validation_eras)
        log.info(f"validation: {scores['eras']} eras, {describe_scores(scores)}"
            f"{' (in-sample: the model trained on these eras)' if validation_eras else ''}")
    pickle_bytes = pickle_bytes_of(bundle)
    manifest = build_manifest(
        slot=spec.slot, fingerprint=print_id, runtime=runtime, pickle_bytes=pickle_bytes,
        data_version=cast(str, spec.data.version), synthetic=synthetic, data_stamp=stamp, features=features,
        benchmark_inputs=list(spec.predict.benchmark_inputs), targets=targets_used(spec),
        training={"rows": rows, "eras": len(eras),
                  "seconds": round(time.monotonic() - started, 2)},
        metrics={"validation": scores} if scores else None,
        environment=environment_record(runtime),
    )
    manifest_file = write_build(pickle_bytes, manifest, pickle_path)
    log.info(f"wrote {pickle_path} ({len(pickle_bytes) / 1024:.0f} KiB) and {manifest_file.name}")
    return BuildResult(spec.slot, print_id, pickle_path, manifest_file, manifest)
