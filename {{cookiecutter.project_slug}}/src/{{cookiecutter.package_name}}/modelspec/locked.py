"""The libraries the repository's images lock (its runtimes/py3.*-*.txt files, read as text): a spec
may name an estimator from any of them, as well as from scikit-learn, LightGBM and its own package.

Only names are read: no library is imported to decide whether a spec may name it. A module's
distribution comes from the installed packages' metadata when the two names differ (sklearn is
scikit-learn's); an uninstalled one counts under its own name (xgboost, catboost).
"""

from __future__ import annotations

import re
from functools import lru_cache
from importlib import metadata
from pathlib import Path

LOCK_LINE = re.compile(r"([A-Za-z0-9][A-Za-z0-9._-]*)\s*==")


def normalised(name: str) -> str:
    """PEP 503's form of a distribution name."""
    return re.sub(r"[-_.]+", "-", name).lower()


@lru_cache(maxsize=8)
def locked_distributions(runtimes_dir: Path) -> frozenset[str]:
    """Every distribution any lock in `runtimes_dir` pins (empty without locks)."""
    names: set[str] = set()
    for lock in sorted(Path(runtimes_dir).glob("py3.*-*.txt")):
        for line in lock.read_text(encoding="utf-8").splitlines():
            match = LOCK_LINE.match(line.strip())
            if match:
                names.add(normalised(match.group(1)))
    return frozenset(names)


def is_locked_module(module: str, runtimes_dir: Path | None) -> bool:
    """Whether top-level `module` belongs to a distribution the repository's images lock."""
    if runtimes_dir is None:
        return False
    locked = locked_distributions(Path(runtimes_dir))
    top = module.split(".")[0]
    providers = {normalised(name) for name in metadata.packages_distributions().get(top, [])}
    return normalised(top) in locked or bool(providers & locked)
