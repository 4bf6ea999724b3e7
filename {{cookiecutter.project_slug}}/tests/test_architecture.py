"""The package's layers hold: import-linter's contracts pass, and they catch an upward import."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

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


def test_an_upward_import_breaks_the_layers(tmp_path):
    root = copy_of_repo(tmp_path)
    module = root / "src" / PACKAGE / "spec" / "model.py"
    module.write_text(module.read_text() + "\nfrom ..deploy import slots  # noqa: E402,F401\n")
    result = lint_imports(root)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Layers: each imports only the layers below it BROKEN" in result.stdout
    assert f"{PACKAGE}.spec.model -> {PACKAGE}.deploy.slots" in result.stdout


def test_numerapi_outside_numerai_breaks_a_contract(tmp_path):
    root = copy_of_repo(tmp_path)
    module = root / "src" / PACKAGE / "data" / "download.py"
    module.write_text(module.read_text() + "\nimport numerapi  # noqa: E402,F401\n")
    result = lint_imports(root)
    assert result.returncode == 1
    assert "Only numerai/ talks to Numerai (numerapi, requests) BROKEN" in result.stdout


def test_what_ships_in_the_pickle_stays_small(tmp_path):
    root = copy_of_repo(tmp_path)
    module = root / "src" / PACKAGE / "bundle" / "predictor.py"
    module.write_text(module.read_text() + "\nimport lightgbm  # noqa: E402,F401\n")
    result = lint_imports(root)
    assert result.returncode == 1
    assert "imports only the standard library, numpy and pandas BROKEN" in result.stdout
