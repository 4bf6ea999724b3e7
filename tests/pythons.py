"""Find a real interpreter of a given Python minor (pyenv shims do not count)."""

from __future__ import annotations

import glob
import os
import shutil
import subprocess


def candidates(minor: str):
    yield shutil.which(f"python{minor}")
    root = os.environ.get("PYENV_ROOT", os.path.expanduser("~/.pyenv"))
    yield from sorted(glob.glob(f"{root}/versions/{minor}.*/bin/python{minor}"), reverse=True)
    uv = shutil.which("uv")
    if uv:
        found = subprocess.run([uv, "python", "find", minor], capture_output=True, text=True)
        yield found.stdout.strip() if found.returncode == 0 else None


def find_python(minor: str) -> str | None:
    for path in candidates(minor):
        if not path:
            continue
        probe = subprocess.run([path, "-c", "import sys; print('%d.%d' % sys.version_info[:2])"],
                               capture_output=True, text=True)
        if probe.returncode == 0 and probe.stdout.strip() == minor:
            return path
    return None
