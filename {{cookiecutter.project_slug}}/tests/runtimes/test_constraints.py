"""Installs are constrained by the image's lock less the package's own tooling: numerai-tools comes at
its current release (no torch), everything a pickle may carry at the image's version."""

from __future__ import annotations

import re
import subprocess
import sys

if sys.version_info >= (3, 11):
    import tomllib
else:  # the dev extra brings tomli there
    import tomli as tomllib

from {{ cookiecutter.package_name }}.runtimes import load_catalogue
from {{ cookiecutter.package_name }}.runtimes.constraints import TOOLING, constraints_file, constraints_text, normalise
from {{ cookiecutter.package_name }}.runtimes.environments import install_commands

from conftest import PACKAGE, REPO_ROOT

SCRIPT = REPO_ROOT / "src" / PACKAGE / "runtimes" / "constraints.py"


def pinned(text: str) -> set[str]:
    return {line.strip() for line in text.splitlines() if "==" in line and not line.lstrip().startswith("#")}


def test_every_lock_loses_its_tooling_and_nothing_else():
    runtimes = load_catalogue(REPO_ROOT / "runtimes")
    assert runtimes, "the catalogue lists images"
    for runtime in runtimes:
        lock = runtime.lock.read_text(encoding="utf-8")
        kept = constraints_text(lock)
        dropped = pinned(lock) - pinned(kept)
        names = {normalise(line.split("==")[0]) for line in dropped}
        assert "numerai-tools" in names and names <= set(TOOLING), runtime.lock.name
        assert pinned(kept) <= pinned(lock)
        # torch stays a constraint: a repository whose code asks for it gets the image's version.
        assert "\ntorch==" in "\n" + kept, runtime.lock.name


def test_the_dev_tools_install_under_every_lock():
    """No tool of the dev extra is pinned by a lock's constraints at another release: `pip install -e
    '.[dev]'` resolves on every image's Python (the 3.13 lock pins a ruff of its own)."""
    extra = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    pinned_here = {normalise(match.group(1)): match.group(2) for requirement in
                   extra["project"]["optional-dependencies"]["dev"]
                   if (match := re.match(r"([A-Za-z0-9._-]+)==([^;\s]+)", requirement))}
    assert pinned_here, "the dev extra pins its linter"
    for runtime in load_catalogue(REPO_ROOT / "runtimes"):
        for line in pinned(constraints_text(runtime.lock.read_text(encoding="utf-8"))):
            name, version = line.split("==")
            assert pinned_here.get(normalise(name), version) == version, f"{runtime.lock.name}: {line}"


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
