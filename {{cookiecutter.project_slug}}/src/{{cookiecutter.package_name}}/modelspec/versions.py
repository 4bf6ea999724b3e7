"""A spec against the dataset versions of `datasets/` (datasets.py): what it trains on when it names
no version or target (the version marked current, that version's payout target), the benchmark
columns it names, and the warning on the bare `target` column, an alias whose meaning is disputed."""

from __future__ import annotations

import difflib
from pathlib import Path

from ..datasets import DatasetVersion, current_version, home_folder, known_versions, load_versions
from ..repo import Repo
from .model import targets_used
from .problems import LoadedSpec, Problem
from .rules import problem_at_value


def versions_for(models_dir: Path) -> dict[str, DatasetVersion]:
    """The dataset versions of the repository holding `models_dir`; for a spec outside a repository
    (a scratch folder), those of the repository this package belongs to."""
    folder = Repo.datasets_of(Path(models_dir).parent)
    return load_versions(folder if known_versions(folder) else home_folder())


def with_dataset_defaults(item: LoadedSpec, versions: dict[str, DatasetVersion]) -> LoadedSpec:
    """`item` with data.version and data.target filled in where the spec leaves them out: the version
    marked current, and the version's payout target (for a version datasets/ does not know yet, the
    current one's: `validate` says so)."""
    data, current = item.spec.data, current_version(versions)
    version = data.version or current.name
    target = data.target or versions.get(version, current).payout_target
    spec = item.spec.model_copy(update={"data": data.model_copy(update={"version": version, "target": target})})
    return LoadedSpec(path=item.path, spec=spec, document=item.document)


def benchmark_problems(item: LoadedSpec, known: list[str] | tuple[str, ...], source: str) -> list[Problem]:
    """Benchmark columns the spec names that `known` (the columns `source` has) lacks."""
    problems = []
    for column in item.spec.predict.benchmark_inputs:
        if column in known:
            continue
        close = difflib.get_close_matches(column, list(known), n=1)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        problems.append(problem_at_value(item, column, "predict.benchmark_inputs",
                                         f"a benchmark column of {source}: {', '.join(known)}; got {column!r}{hint}"))
    return problems


def version_benchmark_problems(item: LoadedSpec, version: DatasetVersion) -> list[Problem]:
    return benchmark_problems(item, version.benchmark_columns, f"{version.name} per {version.described}")


def alias_warnings(item: LoadedSpec, version: DatasetVersion) -> list[str]:
    """A line for each place the spec trains on the version's bare `target` alias, saying why not."""
    if not version.alias_column or version.alias_column not in targets_used(item.spec):
        return []
    found = problem_at_value(item, version.alias_column, "data.target", "")
    where = f"{found.file}" + (f", line {found.line}" if found.line else "")
    return [f"{where} ==> At key {found.key} ==> training on {version.alias_column!r}: {version.alias_note} "
            f"The payout target of {version.name} is {version.payout_target}."]
