"""Numerai's dataset versions as data: `datasets/<version>.json`, one dated file per version with
its sources (feature sets and sizes, targets, the payout target, benchmark columns, the meta model,
the training shape).

Everything that needs a version's numbers or names reads them here: the spec defaults (the version
marked `current`, its payout target), `validate` without a network, the synthetic data, the
benchmarks. Numerai publishes a new version on its own schedule: add its file (and mark it
`current`) rather than changing code; the health workflow says when one appears.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import UsageError
from .repo import Repo

VERSION_NAME = re.compile(r"^v(\d+)\.(\d+)$")
STATUSES = ("current", "supported", "deprecated")
CURRENT = "current"


@dataclass(frozen=True)
class DatasetVersion:
    """One dataset version, as its file describes it."""

    name: str
    title: str
    released: str
    checked: str
    status: str
    feature_sets: dict[str, int]
    targets: tuple[str, ...]
    payout_target: str
    alias_column: str | None
    alias_note: str
    benchmark_columns: tuple[str, ...]
    meta_model_file: str | None
    meta_model_column: str | None
    train_rows: int
    train_first_era: str
    train_last_era: str
    validation_first_era: str
    sources: tuple[str, ...]
    path: Path
    validation_rows: int | None = None  # as last counted (validation.parquet gains an era a week); None: unknown

    @property
    def train_eras(self) -> int:
        return int(self.train_last_era) - int(self.train_first_era) + 1

    @property
    def rows_per_era(self) -> int:
        return round(self.train_rows / self.train_eras)

    def metadata(self) -> dict[str, Any]:
        """What features.json says of the feature sets and targets, as far as this file knows (the sets'
        sizes, not their members): enough to check a spec's names without the network."""
        return {"feature_sets": dict(self.feature_sets), "targets": list(self.targets)}

    @property
    def described(self) -> str:
        """How messages cite the facts: `datasets/v5.3.json (checked 2026-12-02)`."""
        return f"{self.path.parent.name}/{self.path.name} (checked {self.checked})"


def version_key(name: str) -> tuple[int, int]:
    """Sort key of a version name: v5.10 after v5.9; names that are not versions sort first."""
    match = VERSION_NAME.match(name)
    return (int(match.group(1)), int(match.group(2))) if match else (-1, -1)


def home_folder() -> Path:
    """The datasets folder of the repository this package belongs to (src/<package>/ inside it)."""
    return Path(__file__).resolve().parents[2] / "datasets"


def folder_of(where: Repo | Path | str) -> Path:
    return where.datasets if isinstance(where, Repo) else Path(where)


def known_versions(where: Repo | Path | str) -> list[str]:
    """The versions with a file in the datasets folder, oldest first."""
    folder = folder_of(where)
    names = [path.stem for path in folder.glob("v*.json") if VERSION_NAME.match(path.stem)]
    return sorted(names, key=version_key)


def load_versions(where: Repo | Path | str) -> dict[str, DatasetVersion]:
    """Every version of the datasets folder, oldest first; a folder without any is bad input."""
    folder = folder_of(where)
    names = known_versions(folder)
    if not names:
        raise UsageError(f"{folder} has no dataset version files (v5.3.json, ...) ==> restore the repository's "
                         "datasets/ folder")
    return {name: load_version(folder, name) for name in names}


def load_version(where: Repo | Path | str, name: str) -> DatasetVersion:
    """The facts of version `name`; a missing or malformed file is bad input naming the file and key."""
    path = folder_of(where) / f"{name}.json"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise UsageError(f"no {path} ==> one of {', '.join(known_versions(path.parent)) or 'none'}") from None
    except (OSError, ValueError) as error:
        raise UsageError(f"{path}: not readable JSON ({error})") from None
    return parse_version(path, data)


def current_version(versions: dict[str, DatasetVersion]) -> DatasetVersion:
    """The one version marked `current`: what a spec trains on when it names none."""
    current = [version for version in versions.values() if version.status == CURRENT]
    if len(current) != 1:
        folder = next(iter(versions.values())).path.parent if versions else "datasets"
        raise UsageError(f"{folder}: {len(current)} version files have status {CURRENT!r} ==> mark exactly one")
    return current[0]


def parse_version(path: Path, data: Any) -> DatasetVersion:
    def need(key: str, kind: type | tuple[Any, ...], where: dict[str, Any] | None = None) -> Any:
        value = (data if where is None else where).get(key) if isinstance(data, dict) else None
        if not isinstance(value, kind) or isinstance(value, bool) and kind is not bool:
            raise UsageError(f"{path}: key {key!r} ==> expected {getattr(kind, '__name__', kind)}, got {value!r}")
        return value

    name = need("version", str)
    if name != path.stem:
        raise UsageError(f"{path}: key 'version' ==> expected {path.stem!r} (the file's name), got {name!r}")
    status = need("status", str)
    if status not in STATUSES:
        raise UsageError(f"{path}: key 'status' ==> expected one of {', '.join(STATUSES)}, got {status!r}")
    sets = need("feature_sets", dict)
    if "all" not in sets or not all(isinstance(size, int) and size > 0 for size in sets.values()):
        raise UsageError(f"{path}: key 'feature_sets' ==> expected positive sizes, `all` among them")
    targets = tuple(need("targets", list))
    payout = need("payout_target", str)
    if payout not in targets:
        raise UsageError(f"{path}: key 'payout_target' ==> expected one of `targets`, got {payout!r}")
    alias = data.get("target_alias") or {}
    meta = data.get("meta_model") or {}
    train = need("train", dict)
    return DatasetVersion(
        name=name, title=str(data.get("name", "")), released=str(data.get("released", "")),
        checked=str(data.get("checked", "")), status=status, feature_sets=dict(sets), targets=targets,
        payout_target=payout, alias_column=alias.get("column"), alias_note=str(alias.get("note", "")),
        benchmark_columns=tuple(need("benchmark_columns", list)),
        meta_model_file=meta.get("file"), meta_model_column=meta.get("column"),
        train_rows=need("rows", int, train), train_first_era=need("first_era", str, train),
        train_last_era=need("last_era", str, train),
        validation_first_era=need("first_era", str, need("validation", dict)),
        sources=tuple(data.get("sources") or ()), path=path,
        validation_rows=rows if isinstance(rows := data["validation"].get("rows"), int) and rows > 0 else None,
    )
