"""Installs are constrained by the image's lock less the package's own tooling: numerai-tools comes at
its current release (no torch), everything a pickle may carry at the image's version."""

from __future__ import annotations

import subprocess
import sys

from {{ cookiecutter.package_name }}.runtimes import load_catalogue
from {{ cookiecutter.package_name }}.runtimes.constraints import TOOLING, constraints_file, constraints_text, normalise
from {{ cookiecutter.package_name }}.runtimes.environments import install_commands

from conftest import PACKAGE, REPO_ROOT

SCRIPT = REPO_ROOT / "src" / PACKAGE / "runtimes" / "constraints.py"


def pinned(text: str) -> set[str]:
    return {line.strip() for line in text.splitlines() if "==" in line and not line.lstrip().startswith("#")}


def test_every_lock_loses_its_tooling_and_nothing_else():
    for runtime in load_catalogue(REPO_ROOT / "runtimes"):
        lock = runtime.lock.read_text(encoding="utf-8")
        kept = constraints_text(lock)
        dropped = pinned(lock) - pinned(kept)
        assert {normalise(line.split("==")[0]) for line in dropped} == set(TOOLING), runtime.lock.name
        assert pinned(kept) <= pinned(lock)
        # torch stays a constraint: a repository whose code asks for it gets the image's version.
        assert "\ntorch==" in "\n" + kept, runtime.lock.name


def test_the_script_needs_only_the_standard_library():
    """The setup action runs it before the package (or anything else) is installed."""
    runtime = load_catalogue(REPO_ROOT / "runtimes")[0]
    # -I: isolated (no user site, no PYTHONPATH), -S: no site-packages at all.
    result = subprocess.run([sys.executable, "-I", "-S", str(SCRIPT), str(runtime.lock)], capture_output=True,
                            text=True, check=True)
    assert result.stdout == constraints_text(runtime.lock.read_text(encoding="utf-8"), runtime.lock.name)
    assert subprocess.run([sys.executable, "-I", "-S", str(SCRIPT)], capture_output=True).returncode == 2


def test_environments_install_under_the_constraints_not_the_lock(tmp_path):
    runtime = load_catalogue(REPO_ROOT / "runtimes")[0]
    path = constraints_file(runtime.lock, tmp_path)
    assert path == constraints_file(runtime.lock, tmp_path), "named by its content: written once"
    assert path.read_text() == constraints_text(runtime.lock.read_text(encoding="utf-8"), runtime.lock.name)
    for command in install_commands(sys.executable, tmp_path / "env", ["-e", "."], path):
        assert str(runtime.lock) not in command
    assert str(path) in install_commands(sys.executable, tmp_path / "env", ["-e", "."], path)[-1]
