"""List the numerai_predict runtimes (Python minor, image, tag) and mark the default."""

from __future__ import annotations

from ..runtimes import load_catalogue
from .common import repo_from


def add_arguments(parser) -> None:
    pass


def run(args) -> int:
    repo = repo_from(args)
    catalogue = load_catalogue(repo.runtimes)
    print("source: vendored catalogue (runtimes/catalogue.json)")
    for runtime in catalogue:
        mark = " (default)" if runtime.default else ""
        pins = ", ".join(f"{name} {runtime.version_of(name)}" for name in ("numpy", "pandas", "lightgbm",
                                                                          "scikit-learn", "cloudpickle"))
        print(f"{runtime.key:8} {runtime.reference}{mark}\n         {pins}")
    return 0
