"""What several commands share: the repository, its validated specs, runtimes, argument checks."""

from __future__ import annotations

import argparse
import math
from pathlib import Path

from ..errors import UsageError
from ..modelspec import LoadedSpec, load_specs
from ..repo import Repo
from ..runtimes import Runtime, load_catalogue, resolve_runtime


def repo_from(args: argparse.Namespace) -> Repo:
    root = Path(args.repo)
    if not (root / "models").is_dir():
        raise UsageError(f"{root.resolve()} has no models/ folder: run this in the repository (or pass --repo DIR)")
    return Repo(root)


def load_all(repo: Repo) -> tuple[list[LoadedSpec], list[Runtime]]:
    """Every spec, validated against each other and the runtime catalogue."""
    catalogue = load_catalogue(repo.runtimes)
    specs = load_specs(repo.models, runtimes=[runtime.python for runtime in catalogue])
    return specs, catalogue


def runtime_of(item: LoadedSpec, catalogue: list[Runtime]) -> Runtime:
    return resolve_runtime(item.spec.runtime, catalogue)


def positive_seconds(flag: str, value: float | None) -> float | None:
    """`value` when it is a positive number of seconds (inf or nan would mean no limit at all)."""
    if value is not None and not (math.isfinite(value) and value > 0):
        raise UsageError(f"{flag} {value:g} ==> expected a positive number of seconds")
    return value
