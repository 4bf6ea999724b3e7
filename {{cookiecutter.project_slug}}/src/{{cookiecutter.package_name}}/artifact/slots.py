"""Build every chosen slot, grouped by runtime: in this process (`--here`, which must be the image's)
or in one confined child per runtime (environment.py), so a pickle is only made with the image's
libraries and training never sees a credential nor writes the data it and the check read (prepared.py)."""

from __future__ import annotations

from pathlib import Path

from ..errors import ChildExited
from ..modelspec import LoadedSpec
from ..repo import Repo
from ..runtimes import Runtime
from .builder import build_slot
from .environment import build_in_child, refuse_mismatch
from .fingerprint import fingerprint
from .prepared import Dataset, prepare


def by_runtime(chosen: list[tuple[LoadedSpec, Runtime]]) -> dict[Runtime, list[LoadedSpec]]:
    """The chosen slots grouped by runtime, in the order they were chosen."""
    groups: dict[Runtime, list[LoadedSpec]] = {}
    for item, runtime in chosen:
        groups.setdefault(runtime, []).append(item)
    return groups


def build_slots(repo: Repo, chosen: list[tuple[LoadedSpec, Runtime]], *, synthetic: bool, out_dir: Path,
                here: bool, prepared: dict[str, Dataset] | None = None) -> list[tuple[Path, Runtime]]:
    """Build each chosen slot; the pickles written, each with its runtime. A failed child raises ChildExited.
    Here, on `prepared` data where given (the parent's, when this is its training child); else the data is
    made ready here, before a child of each runtime trains on it read-only."""
    if here:
        for _item, runtime in chosen:
            refuse_mismatch(runtime)
    built: list[tuple[Path, Runtime]] = []
    for runtime, group in by_runtime(chosen).items():
        if here:
            built += [(build_slot(repo, item, runtime, synthetic=synthetic, out_dir=out_dir,
                                  prepared=(prepared or {}).get(item.spec.slot)).pickle_path, runtime)
                      for item in group]
            continue
        names = [f"{item.spec.slot}-{fingerprint(item.spec, runtime, repo.package_dir, synthetic)}.pkl"
                 for item in group]
        data = {item.spec.slot: prepare(repo, item, synthetic) for item in group}
        code = build_in_child(repo, runtime, data, synthetic=synthetic, out_dir=out_dir, names=names)
        if code:
            raise ChildExited(code)
        built += [(Path(out_dir) / name, runtime) for name in names]
    return built
