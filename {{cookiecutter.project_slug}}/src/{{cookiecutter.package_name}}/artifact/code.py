"""The package's modules a slot's build uses and ships: what its fingerprint hashes of the code.

Read from the source files (an import graph of `import` and `from ... import` statements, function
level ones included), never by importing them: `plan` fingerprints another git revision's files the
same way. A build runs the training step (ROOTS and what they import) and, for a spec naming code of
this package (a custom entry point, an estimator class), that module and what it imports; an edit
anywhere else (another slot's custom module, the deploy or CLI code) leaves the fingerprint alone.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Iterator
from functools import lru_cache
from pathlib import Path

# The training step: the build child trains through these, the pickle carries bundle/ and what the
# model's own code pulls in. Relative to the package.
ROOTS = ("artifact.builder", "artifact.pickler", "bundle.predictor", "kinds.registry", "train.ensemble",
         "train.estimators", "train.linear",
         "train.metrics", "train.streaming")


def module_files(package_dir: Path) -> dict[str, Path]:
    """{dotted name relative to the package ("" for the package itself): source file}."""
    found: dict[str, Path] = {}
    for path in sorted(package_dir.rglob("*.py")):
        parts = list(path.relative_to(package_dir).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


def is_package(name: str, files: dict[str, Path]) -> bool:
    return files[name].name == "__init__.py"


def imported_names(name: str, source: str, package: str, package_init: bool) -> Iterator[str]:
    """Names (relative to the package) of the package's modules `source` (module `name`; an __init__
    when `package_init`) imports. Names that are no module (`from .x import function`) are harmless."""
    here = name.split(".") if name else []
    if not package_init:
        here = here[:-1]
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            bases = [alias.name for alias in node.names]
            subnames: list[str] = []
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                anchor = here[:len(here) - node.level + 1]
                base = ".".join([package, *anchor, *([node.module] if node.module else [])])
            else:
                base = node.module or ""
            bases, subnames = [base], [alias.name for alias in node.names]
        else:
            continue
        for base in bases:
            if base != package and not base.startswith(package + "."):
                continue
            relative = base.removeprefix(package).removeprefix(".")
            yield relative
            yield from (f"{relative}.{sub}".lstrip(".") for sub in subnames)


def with_parents(name: str) -> list[str]:
    """A module and the packages above it (importing a.b.c runs a/__init__, a/b/__init__)."""
    parts = name.split(".") if name else []
    return [".".join(parts[:end]) for end in range(len(parts) + 1)]


def closure(package_dir: Path, roots: Iterable[str]) -> dict[str, Path]:
    """The modules `roots` (relative names) import, directly or not, with their packages' __init__."""
    files = module_files(package_dir)
    package = package_dir.name
    seen: dict[str, Path] = {}
    pending = [parent for root in roots for parent in with_parents(root)]
    while pending:
        name = pending.pop()
        if name in seen or name not in files:
            continue
        seen[name] = files[name]
        state = files[name].stat()
        pending += [parent for found in imports_of(name, files[name], state.st_mtime_ns, state.st_size, package,
                                                   is_package(name, files))
                    for parent in with_parents(found)]
    return seen


@lru_cache(maxsize=1024)
def imports_of(name: str, path: Path, _mtime_ns: int, _size: int, package: str, package_init: bool) -> tuple[str, ...]:
    """imported_names of one file, parsed once per process and file state."""
    source = path.read_text(encoding="utf-8")
    return tuple(imported_names(name, source, package, package_init))


def referenced_modules(document: object, package: str, files: dict[str, Path]) -> set[str]:
    """Modules of the package a spec names (a custom entry point `pkg.mod:fn`, an estimator `pkg.mod.Cls`)."""
    found: set[str] = set()
    if isinstance(document, dict):
        for value in document.values():
            found |= referenced_modules(value, package, files)
    elif isinstance(document, list):
        for value in document:
            found |= referenced_modules(value, package, files)
    elif isinstance(document, str) and document.startswith(package + "."):
        parts = document.split(":")[0].removeprefix(package + ".").split(".")
        # The longest prefix that is a module: `pkg.mod.Cls` names the module pkg.mod.
        found |= {".".join(parts[:end]) for end in range(len(parts), 0, -1) if ".".join(parts[:end]) in files}
    return found


def used_modules(package_dir: Path, spec_document: object) -> dict[str, Path]:
    """The package's modules a build of this spec uses: the training step's and the spec's own code."""
    files = module_files(package_dir)
    return closure(package_dir, [*ROOTS, *referenced_modules(spec_document, package_dir.name, files)])
