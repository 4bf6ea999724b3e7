"""The package's layers hold: import-linter's contracts pass, and they catch an upward import."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

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
