"""The package's layers hold: import-linter's contracts pass and catch an upward import; no module imports
another that imports it back (no circle); nothing below main reads the environment; commands stay thin."""

from __future__ import annotations

import ast
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import grimp
import pytest

from conftest import PACKAGE, REPO_ROOT

LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")
COLOURS = re.compile(r"\x1b\[[0-9;]*m")


def lint_imports(root: Path) -> subprocess.CompletedProcess:
    """lint-imports on the package under `root` (its own copy first on the import path)."""
    environment = {**os.environ, "PYTHONPATH": str(root / "src"), "NO_COLOR": "1"}
    result = subprocess.run([str(LINT_IMPORTS), "--no-cache"], cwd=root, capture_output=True, text=True,
                            env=environment)
    result.stdout = COLOURS.sub("", result.stdout)
    return result


def copy_of_repo(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    (root / "src").mkdir(parents=True)
    shutil.copy(REPO_ROOT / "pyproject.toml", root / "pyproject.toml")
    shutil.copytree(REPO_ROOT / "src" / PACKAGE, root / "src" / PACKAGE,
                    ignore=shutil.ignore_patterns("__pycache__"))
    return root


def test_the_layers_hold():
    result = lint_imports(REPO_ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "broken" in result.stdout and " 0 broken" in result.stdout


@pytest.mark.parametrize(("module", "line", "contract"), [
    ("modelspec/model.py", "from ..deploy import slots", "Layers: each imports only the layers below it"),
    ("modelspec/model.py", "from ..kinds import registry", "Layers: each imports only the layers below it"),
    ("train/ensemble.py", "from ..kinds import registry", "Layers: each imports only the layers below it"),
    ("kinds/base.py", "from ..artifact import builder", "Layers: each imports only the layers below it"),
    ("data/download.py", "import numerapi", "Only numerai/ talks to Numerai (numerapi, requests)"),
    ("bundle/predictor.py", "import lightgbm",
     "What ships inside the pickle imports only the standard library, numpy and pandas"),
    ("github/api.py", "import numpy", "github/ runs on the standard library alone (a workflow job with a write "
                                         "token installs nothing)"),
    ("github/api.py", "from .. import errors", "Layers: each imports only the layers below it"),
])
def test_a_forbidden_import_breaks_its_contract(tmp_path, module, line, contract):
    root = copy_of_repo(tmp_path)
    path = root / "src" / PACKAGE / module
    path.write_text(path.read_text() + f"\n{line}  # noqa: E402,F401\n")
    result = lint_imports(root)
    assert result.returncode == 1, result.stdout + result.stderr
    # import-linter pads a contract's name to a column, or, where its terminal is narrow, wraps a long one:
    # read as words, the name is followed by its verdict.
    words = " ".join(result.stdout.split())
    assert re.search(rf"{re.escape(contract)} ?BROKEN", words), result.stdout
    assert re.search(r"Contracts: \d+ kept, 1 broken\.", result.stdout), result.stdout


def test_a_broken_layer_names_the_import(tmp_path):
    root = copy_of_repo(tmp_path)
    path = root / "src" / PACKAGE / "modelspec" / "model.py"
    path.write_text(path.read_text() + "\nfrom ..deploy import slots  # noqa: E402,F401\n")
    assert f"{PACKAGE}.modelspec.model -> {PACKAGE}.deploy.slots" in lint_imports(root).stdout


def import_graph(package: str) -> dict[str, set[str]]:
    """Every module of `package` and the package's modules it imports directly (grimp, import-linter's own)."""
    graph = grimp.build_graph(package, cache_dir=None)
    return {module: {imported for imported in graph.find_modules_directly_imported_by(module)
                     if imported.startswith(package)} for module in graph.modules}


def circles(edges: dict[str, set[str]]) -> list[set[str]]:
    """The strongly connected groups of more than one module (Tarjan's algorithm): each an import circle."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[set[str]] = []

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        for other in edges.get(module, ()):
            if other not in index:
                visit(other)
                low[module] = min(low[module], low[other])
            elif other in stack:
                low[module] = min(low[module], index[other])
        if low[module] == index[module]:
            group = set()
            while True:
                member = stack.pop()
                group.add(member)
                if member == module:
                    break
            if len(group) > 1:
                found.append(group)

    for module in sorted(edges):
        if module not in index:
            visit(module)
    return found


def test_no_module_imports_one_that_imports_it_back():
    edges = import_graph(PACKAGE)
    assert len(edges) > 50, "the graph holds the package's modules"
    assert circles(edges) == []


def test_an_import_circle_is_found():
    assert circles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [{"a", "b", "c"}]


# Where the process environment may be read: main reads the settings once (settings.py does the reading)
# and passes them down; github/__main__ is the workflow jobs' own entry point (standard library only).
READS_THE_ENVIRONMENT = {"main.py", "settings.py", "github/__main__.py"}


def environment_reads(source: str) -> list[int]:
    """Lines of `source` reading the process environment: os.environ, os.getenv, load_settings()."""
    lines = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Attribute) and node.attr in ("environ", "getenv", "environb") and \
                isinstance(node.value, ast.Name) and node.value.id == "os":
            lines.append(node.lineno)
        elif isinstance(node, ast.ImportFrom) and node.module == "os" and \
                any(alias.name in ("environ", "getenv") for alias in node.names):
            lines.append(node.lineno)
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "load_settings":
            lines.append(node.lineno)
    return lines


def test_nothing_below_main_reads_the_environment():
    package = REPO_ROOT / "src" / PACKAGE
    modules = sorted(package.rglob("*.py"))
    assert len(modules) > 50
    found = {str(path.relative_to(package)): environment_reads(path.read_text(encoding="utf-8")) for path in modules}
    readers = {name: lines for name, lines in found.items() if lines and name not in READS_THE_ENVIRONMENT}
    assert readers == {}, "read the settings main passes down instead"
    assert found["settings.py"], "the one reading is found"


def test_a_module_reading_the_environment_is_found():
    source = "import os\nx = os.environ.get('A')\ny = os.getenv('B')\nz = load_settings()\n"
    assert sorted(environment_reads(source)) == [2, 3, 4]


COMMAND_LINES_AT_MOST = 80


def test_every_command_is_a_thin_adapter():
    commands = sorted((REPO_ROOT / "src" / PACKAGE / "commands").glob("*.py"))
    assert len(commands) > 10
    long = {path.name: count for path in commands
            if (count := len(path.read_text(encoding="utf-8").splitlines())) > COMMAND_LINES_AT_MOST}
    assert long == {}, f"a command parses arguments, calls its use case, renders: {COMMAND_LINES_AT_MOST} lines at most"
