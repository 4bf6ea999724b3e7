"""Check environments: a virtual environment per runtime and pin set, made once and reused.

Each holds the image's Python minor and the image's locked versions of what a pickle needs (plus
pyarrow, to read parquet as predict.py does). They live under
`${XDG_CACHE_HOME:-~/.cache}/numerai-gitops/runtimes/py3.XX-<hash>` (NUMERAI_RUNTIME_CACHE moves
them), shared by every repository on the machine, so the first check per runtime pays for the
install and every later one starts at once.
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass
from pathlib import Path

from ..runtimes import Runtime, normalise
from ..runtimes.environments import cache_root, ensure, find_interpreter, recipe_of
from ..settings import Settings

__all__ = ["CheckEnvironment", "ensure_environment", "find_interpreter", "requirements"]

# What every check needs whatever the model: predict.py reads parquet with pandas.
BASE_DISTRIBUTIONS = ("numpy", "pandas", "pyarrow", "cloudpickle")


@dataclass(frozen=True)
class CheckEnvironment:
    folder: Path
    requirements: tuple[str, ...]
    created: bool
    seconds: float

    @property
    def python(self) -> Path:
        return self.folder / "bin" / "python"


def requirements(runtime: Runtime, distributions: set[str]) -> tuple[str, ...]:
    """`name==version` from the image's lock for the base set plus `distributions` it has."""
    wanted = {normalise(name) for name in (*BASE_DISTRIBUTIONS, *distributions)}
    return tuple(sorted(f"{name}=={runtime.packages[name]}" for name in wanted if name in runtime.packages))


def environment_folder(runtime: Runtime, pins: tuple[str, ...], settings: Settings) -> Path:
    """Named by Python minor and a hash of the pins and the constraints (the lock less our tooling)."""
    digest = hashlib.sha256("\n".join([runtime.python, *pins, recipe_of(runtime)]).encode())
    return cache_root(settings) / f"py{runtime.python}-{digest.hexdigest()[:12]}"


def ensure_environment(runtime: Runtime, distributions: set[str], settings: Settings) -> CheckEnvironment:
    """The cached environment for `runtime` with `distributions`, created when missing."""
    started = time.monotonic()
    pins = requirements(runtime, distributions)
    folder = environment_folder(runtime, pins, settings)
    created = ensure(runtime, folder, list(pins), {"requirements": list(pins)}, "check", settings)
    return CheckEnvironment(folder, pins, created, time.monotonic() - started)
