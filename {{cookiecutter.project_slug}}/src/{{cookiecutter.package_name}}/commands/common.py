"""What several commands share: the repository, its validated specs, slot selection."""

from __future__ import annotations

from pathlib import Path

from ..errors import UsageError
from ..repo import Repo
from ..runtimes import Runtime, load_catalogue, resolve_runtime
from ..spec import LoadedSpec, load_specs


def repo_from(args) -> Repo:
    root = Path(args.repo)
    if not (root / "models").is_dir():
        raise UsageError(f"{root.resolve()} has no models/ folder: run this in the repository (or pass --repo DIR)")
    return Repo(root)


def load_all(repo: Repo) -> tuple[list[LoadedSpec], list[Runtime]]:
    """Every spec, validated against each other and the runtime catalogue."""
    catalogue = load_catalogue(repo.runtimes)
    specs = load_specs(repo.models, runtimes=[runtime.python for runtime in catalogue])
    return specs, catalogue


def select(specs: list[LoadedSpec], slots: list[str]) -> list[LoadedSpec]:
    """The specs of `slots` (all when empty); an unknown slot name is an error naming the known ones."""
    if not slots:
        return specs
    by_slot = {item.spec.slot: item for item in specs}
    unknown = [slot for slot in slots if slot not in by_slot]
    if unknown:
        raise UsageError(f"no spec for slot(s) {', '.join(unknown)} ==> expected one of {', '.join(sorted(by_slot))}")
    return [by_slot[slot] for slot in slots]


def runtime_of(item: LoadedSpec, catalogue: list[Runtime]) -> Runtime:
    return resolve_runtime(item.spec.runtime, catalogue)
