"""The lists of libraries a pickle's build must match the image on have one home, runtimes/libraries.py."""

from __future__ import annotations

import ast
from pathlib import Path

from {{ cookiecutter.package_name }}.runtimes.libraries import IMAGE_PINNED_LIBRARIES, LAYOUT_BOUND_LIBRARIES

from conftest import PACKAGE, REPO_ROOT

HOME = REPO_ROOT / "src" / PACKAGE / "runtimes" / "libraries.py"
NAMES = {"IMAGE_PINNED_LIBRARIES", "LAYOUT_BOUND_LIBRARIES"}
USERS = {f"src/{PACKAGE}/runtimes/environments.py", f"src/{PACKAGE}/runtimes/report.py",
         f"src/{PACKAGE}/check/static.py", f"src/{PACKAGE}/deploy/artifacts.py", "scripts/refresh_runtimes.py"}


def modules() -> dict[str, ast.Module]:
    paths = [*(REPO_ROOT / "src" / PACKAGE).rglob("*.py"), *(REPO_ROOT / "scripts").rglob("*.py")]
    return {str(path.relative_to(REPO_ROOT)): ast.parse(path.read_text(encoding="utf-8")) for path in paths}


def is_library_list(node: ast.AST) -> bool:
    """A tuple, list or set literal naming LightGBM beside numpy or cloudpickle: a list of key libraries."""
    if not isinstance(node, (ast.Tuple, ast.List, ast.Set)):
        return False
    strings = {item.value for item in node.elts if isinstance(item, ast.Constant) and isinstance(item.value, str)}
    return "lightgbm" in strings and bool(strings & {"numpy", "cloudpickle"})


def test_the_lists_are_written_only_in_their_home():
    found = {name: node.lineno for name, tree in modules().items() for node in ast.walk(tree) if is_library_list(node)}
    home = str(HOME.relative_to(REPO_ROOT))
    assert set(found) == {home}, f"a list of key libraries outside {home}: import it from there instead ({found})"


def test_every_user_imports_them_from_their_home():
    importers = set()
    for name, tree in modules().items():
        used = {node.id for node in ast.walk(tree) if isinstance(node, ast.Name)} & NAMES
        imported = {alias.name for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)
                    and (node.module or "").split(".")[-1] == "libraries" for alias in node.names}
        if used and Path(name) != HOME.relative_to(REPO_ROOT):
            assert used <= imported, f"{name} uses {sorted(used - imported)} without importing it from its home"
        if imported & NAMES:
            importers.add(name)
    assert USERS <= importers, f"not importing the home: {sorted(USERS - importers)}"


def test_a_layout_bound_library_is_one_the_build_pins():
    assert set(LAYOUT_BOUND_LIBRARIES) < set(IMAGE_PINNED_LIBRARIES)
    assert len(set(IMAGE_PINNED_LIBRARIES)) == len(IMAGE_PINNED_LIBRARIES)
