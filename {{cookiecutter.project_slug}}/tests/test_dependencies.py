"""Every module the package imports is a declared dependency, and every declared one is used (deptry)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from conftest import REPO_ROOT


def test_dependencies_are_declared_and_used():
    deptry = Path(sys.executable).with_name("deptry")
    result = subprocess.run([str(deptry), "."], cwd=REPO_ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
