"""Bake the template and set a baked repo up the way its README tells a user to."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from cookiecutter.main import cookiecutter

from pythons import find_python

TEMPLATE = Path(__file__).resolve().parents[1]
DEFAULT_RUNTIME = "3.12"


def bake(output_dir: Path, **answers) -> Path:
    """Bake with defaults plus `answers`; returns the baked repo's folder."""
    return Path(cookiecutter(str(TEMPLATE), no_input=True, output_dir=str(output_dir), extra_context=answers))


def uv() -> str:
    found = shutil.which("uv") or str(Path(sys.executable).parent / "uv")
    if not Path(found).exists():
        raise RuntimeError("uv is not installed: run `make test`, which installs it")
    return found


def pins_file(repo: Path, runtime: str) -> str:
    """The lock list the baked catalogue names for a Python minor: runtimes/py3.XX-<tag>.txt."""
    entries = json.loads((repo / "runtimes" / "catalogue.json").read_text(encoding="utf-8"))["runtimes"]
    [lock] = [entry["lock"] for entry in entries if entry["python"] == runtime]
    return f"runtimes/{lock}"


def constraints_file(repo: Path, runtime: str, folder: Path) -> Path:
    """The constraints every install of the baked package is made under, written into `folder`: the
    lock of `runtime` less the package's own tooling, by the package's runtimes/constraints.py run as a
    script (as the setup action of the workflows does)."""
    [script] = (repo / "src").glob("*/runtimes/constraints.py")
    written = subprocess.run([sys.executable, str(script), pins_file(repo, runtime)], cwd=repo, check=True,
                             capture_output=True, text=True)
    path = folder / "constraints.txt"
    path.write_text(written.stdout, encoding="utf-8")
    return path


def install(repo: Path, runtime: str = DEFAULT_RUNTIME) -> Path:
    """A virtual environment in repo/.venv with the package and its dev tools, pinned to `runtime`.

    uv's cache makes every install after the first a matter of seconds.
    """
    python = find_python(runtime)
    if python is None:
        raise RuntimeError(f"no Python {runtime} on this machine")
    environment = {**os.environ, "UV_PYTHON_DOWNLOADS": "never"}
    environment.pop("VIRTUAL_ENV", None)
    subprocess.run([uv(), "venv", "-q", "--python", python, str(repo / ".venv")], check=True, env=environment)
    subprocess.run(
        [uv(), "pip", "install", "-q", "--python", str(repo / ".venv" / "bin" / "python"),
         "-e", ".[dev]", "-c", str(constraints_file(repo, runtime, repo / ".venv"))],
        cwd=repo, check=True, env=environment,
    )
    return repo / ".venv" / "bin"


def run(bin_dir: Path, *command: str, cwd: Path, check: bool = True, timeout: int = 1200,
        env: dict | None = None) -> subprocess.CompletedProcess:
    """Run a tool of the baked repo's environment and capture its output."""
    environment = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}", **(env or {})}
    environment["VIRTUAL_ENV"] = str(bin_dir.parent)
    result = subprocess.run([str(bin_dir / command[0]), *command[1:]], cwd=cwd, capture_output=True,
                            text=True, env=environment, timeout=timeout)
    if check and result.returncode != 0:
        raise AssertionError(f"{' '.join(command)} exited {result.returncode}\n{result.stdout}\n{result.stderr}")
    return result
