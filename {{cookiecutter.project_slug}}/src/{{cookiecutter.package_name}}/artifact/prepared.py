"""The data a build trains on, made ready before training starts: downloaded, read by column ranges or
generated into the data cache by the parent (this package's code only), then handed to the training
child as paths it reads and never writes.

Training runs someone's code (a custom entry point, any estimator): were the cache writable to it, it
could plant a train.parquet for the next slot's build or a live.parquet for the check that judges its
own pickle. So the parent fills the cache, the child's sandbox binds it read-only and has no network,
and the child is told where each slot's files are (`write_prepared` / `read_prepared`).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import cast

from ..data import files
from ..data.download import ensure_files, version_dir
from ..data.read import feature_list
from ..data.remote import DatasetFiles, dataset_files
from ..data.synthetic import ensure_synthetic, version_shape
from ..errors import UsageError, WorkFailed
from ..files import write_atomic
from ..logs import get_logger
from ..modelspec import LoadedSpec
from ..modelspec.model import targets_used
from ..modelspec.rules import data_problems
from ..modelspec.versions import versions_for
from ..repo import Repo

log = get_logger(__name__)

Dataset = Path | DatasetFiles  # `dataset / name` is a file's path either way


def needed_files(loaded: LoadedSpec) -> list[str]:
    spec = loaded.spec
    names = [files.FEATURES_JSON, files.TRAIN]
    uses_validation = spec.data.validation_metrics or spec.data.include_validation
    if uses_validation:
        names.append(files.VALIDATION)
    if spec.predict.benchmark_inputs:
        names.append(files.TRAIN_BENCHMARKS)
        if uses_validation:
            names.append(files.VALIDATION_BENCHMARKS)
    return names


def projected_columns(loaded: LoadedSpec, features_json: Path) -> list[str] | None:
    """The columns a build reads of train.parquet and validation.parquet (the `id` index comes
    along): the feature set's, `era` and the targets; None when the spec does not fit features.json
    (build_slot reports that)."""
    if data_problems(loaded, features_json):
        return None
    spec = loaded.spec
    return [*feature_list(features_json, spec.data.feature_set), "era", *targets_used(spec)]


def dataset(repo: Repo, loaded: LoadedSpec, synthetic: bool) -> Dataset:
    """The spec's dataset version, generated, or current with Numerai: `dataset(...) / name` is a
    file's path. train.parquet and validation.parquet come as only the columns the spec reads, read
    by byte ranges where that pays (data.remote)."""
    version = cast(str, loaded.spec.data.version)  # a loaded spec names its version
    if synthetic:
        return ensure_synthetic(version_dir(repo.data_cache, version, synthetic=True),
                                version_shape(versions_for(repo.models), version))
    found = ensure_files(repo.data_cache, version, [files.FEATURES_JSON], settings=repo.settings)
    metadata = found[files.FEATURES_JSON]
    columns = projected_columns(loaded, metadata)
    if columns is None:
        return version_dir(repo.data_cache, version)
    return dataset_files(repo.data_cache, version, needed_files(loaded)[1:],
                         {files.TRAIN: columns, files.VALIDATION: columns}, settings=repo.settings)


def fetch_scoring_files(repo: Repo, version: str) -> None:
    """Download the files MMC and BMC are scored against, when the version has them; a version
    without one only goes without that metric (validation_metrics says so)."""
    for name in files.SCORING_FILES:
        try:
            ensure_files(repo.data_cache, version, [name], settings=repo.settings)
        except WorkFailed as error:
            log.info(f"data: {name} not available ({error}); validation metrics go without it")


def prepare(repo: Repo, loaded: LoadedSpec, synthetic: bool) -> Dataset:
    """Everything the build of `loaded` reads, in the cache: its dataset and, for validation metrics on
    Numerai's data, the files they are scored against."""
    folder = dataset(repo, loaded, synthetic)
    if loaded.spec.data.validation_metrics and not synthetic:
        fetch_scoring_files(repo, cast(str, loaded.spec.data.version))
    return folder


def as_record(folder: Dataset) -> dict[str, object]:
    """Absolute paths: the child runs in a folder of its own (the default cache is relative to the repository)."""
    if isinstance(folder, DatasetFiles):
        return {"folder": str(folder.folder.resolve()),
                "paths": {name: str(path.resolve()) for name, path in folder.paths.items()}}
    return {"folder": str(Path(folder).resolve()), "paths": {}}


def write_prepared(path: Path, prepared: dict[str, Dataset]) -> None:
    """Where each slot's files are ({slot: dataset}), for the training child."""
    write_atomic(path, json.dumps({slot: as_record(folder) for slot, folder in prepared.items()}, indent=1) + "\n")


def read_prepared(path: Path) -> dict[str, Dataset]:
    """`write_prepared`'s file, as the training child reads it."""
    try:
        records = json.loads(path.read_text(encoding="utf-8"))
        return {slot: DatasetFiles(Path(record["folder"]), {name: Path(file) for name, file in record["paths"].items()})
                for slot, record in records.items()}
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as error:
        raise UsageError(f"{path}: not a file of prepared data ({type(error).__name__}: {error}) ==> pass the file "
                         "`build` wrote for its training child, or drop --prepared-data") from None
