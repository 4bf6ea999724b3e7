"""Virtual environments of an image's Python minor and pins, made once and reused.

`check` runs pickles in one (the image's pins of what the pickle needs), `build` trains in one (the
package itself, installed against the image's lock). Both find the interpreter the same way (this
one, PATH, pyenv's versions, `uv python find`), install with uv when it is there (fast, one shared
cache) or else venv and pip, and keep their environments under
`${XDG_CACHE_HOME:-~/.cache}/numerai-gitops/runtimes` (NUMERAI_RUNTIME_CACHE moves it).
"""

from __future__ import annotations

import fcntl
import glob
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from importlib import metadata
from pathlib import Path
from typing import Any

from ..errors import UsageError, WorkFailed
from ..logs import get_logger
from ..progress import Heartbeat
from ..settings import Settings, without_credentials
from .catalogue import Runtime, normalise
from .constraints import constraints_file, constraints_text
from .libraries import IMAGE_PINNED_LIBRARIES

log = get_logger(__name__)

PROBE = "import os, sys; print('%d.%d' % sys.version_info[:2]); print(os.path.realpath(sys.executable))"


def recipe_of(runtime: Runtime) -> str:
    """What an install under `runtime` is made from (environments are named by its hash)."""
    return constraints_text(runtime.lock.read_text(encoding="utf-8"), runtime.lock.name)


def running_minor() -> str:
    return f"{sys.version_info[0]}.{sys.version_info[1]}"


def cache_root(settings: Settings) -> Path:
    """Where environments are made: NUMERAI_RUNTIME_CACHE, else numerai-gitops/runtimes in the user's cache."""
    override = settings.runtime_cache
    if override:
        return override.expanduser()
    base = settings.environment().get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "numerai-gitops" / "runtimes"


def interpreter_candidates(minor: str, settings: Settings) -> Iterator[str | None]:
    """Where a Python minor may be: this interpreter, PATH, pyenv's versions, `uv python find`.

    pyenv's shims are skipped for pyenv's own folders: the probe reports the real executable.
    """
    if running_minor() == minor:
        yield sys.executable
    yield shutil.which(f"python{minor}")
    root = settings.environment().get("PYENV_ROOT") or os.path.expanduser("~/.pyenv")
    yield from sorted(glob.glob(f"{root}/versions/{minor}.*/bin/python{minor}"), reverse=True)
    uv = uv_executable()
    if uv:
        found = subprocess.run([uv, "python", "find", minor], capture_output=True, text=True,
                               env=installer_environment(settings))
        yield found.stdout.strip() if found.returncode == 0 else None


def find_interpreter(minor: str, settings: Settings) -> str | None:
    """The real executable of a Python `minor`, or None."""
    for candidate in interpreter_candidates(minor, settings):
        if not candidate:
            continue
        try:
            probe = subprocess.run([candidate, "-I", "-c", PROBE], capture_output=True, text=True, timeout=30,
                                   env=installer_environment(settings))
        except (OSError, subprocess.TimeoutExpired):
            continue
        lines = probe.stdout.split()
        if probe.returncode == 0 and len(lines) == 2 and lines[0] == minor:
            return lines[1]
    return None


def require_interpreter(minor: str, purpose: str, settings: Settings) -> str:
    interpreter = find_interpreter(minor, settings)
    if interpreter is None:
        install = f"`uv python install {minor}`" if uv_executable() else f"`pyenv install {minor}`"
        raise UsageError(f"no Python {minor} found (on PATH, in pyenv's versions or by `uv python find`) "
                         f"==> install it, e.g. {install}; {purpose}")
    return interpreter


def uv_executable() -> str | None:
    beside = Path(sys.executable).parent / "uv"
    return str(beside) if beside.exists() else shutil.which("uv")


def installer_environment(settings: Settings) -> dict[str, str]:
    """What uv, pip and the interpreter probe run with: the caller's environment less every credential
    (a .pth file or wrapper planted in an environment would run with it) and less a virtualenv's markers."""
    environment = {key: value for key, value in without_credentials(settings.environment()).items()
                   if key not in ("VIRTUAL_ENV", "PYTHONPATH")}
    environment.setdefault("UV_PYTHON_DOWNLOADS", "never")
    return environment


def install_commands(interpreter: str, folder: Path, install: list[str], constraints: Path) -> list[list[str]]:
    """uv when available (fast, shares a cache), else venv and pip; the image's lock, less this package's
    own tooling (runtimes.constraints), constrains dependencies."""
    uv = uv_executable()
    python = str(folder / "bin" / "python")
    if uv:
        return [[uv, "venv", "-q", "--python", interpreter, str(folder)],
                [uv, "pip", "install", "-q", "--python", python, "-c", str(constraints), *install]]
    return [[interpreter, "-m", "venv", str(folder)],
            [python, "-m", "pip", "install", "-q", "--disable-pip-version-check", "-c", str(constraints),
             *install]]


@contextmanager
def locked(path: Path) -> Iterator[None]:
    """An exclusive lock across processes: two runs never build the same environment at once."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def marker_of(folder: Path) -> Path:
    return folder / ".numerai-environment.json"


def is_complete(folder: Path, recipe: dict[str, Any]) -> bool:
    """Whether `folder` holds a finished environment made from `recipe`."""
    try:
        return json.loads(marker_of(folder).read_text())["recipe"] == recipe and (folder / "bin" / "python").exists()
    except (OSError, ValueError, KeyError):
        return False


def create(runtime: Runtime, folder: Path, install: list[str], recipe: dict[str, Any], what: str,
           settings: Settings) -> None:
    """A fresh environment in `folder`: the runtime's Python, `install` under the runtime's lock."""
    interpreter = require_interpreter(runtime.python, f"{what} runs on the image's Python", settings)
    log.info(f"{what}: creating the Python {runtime.python} environment {folder}")
    shutil.rmtree(folder, ignore_errors=True)
    for command in install_commands(interpreter, folder, install, constraints_file(runtime.lock, folder.parent)):
        with Heartbeat(f"{what}: {Path(command[0]).name} {command[1]} (Python {runtime.python})"):
            result = subprocess.run(command, capture_output=True, text=True, env=installer_environment(settings))
        if result.returncode != 0:
            shutil.rmtree(folder, ignore_errors=True)
            tail = " ".join((result.stderr or result.stdout).strip().splitlines()[-3:])
            raise WorkFailed(f"could not create the Python {runtime.python} {what} environment "
                             f"({' '.join(command[:3])} ...): {tail} ==> offline, the packages must already "
                             "be in uv's or pip's cache")
    marker_of(folder).write_text(json.dumps({"recipe": recipe, "python": interpreter}))


def ensure(runtime: Runtime, folder: Path, install: list[str], recipe: dict[str, Any], what: str,
           settings: Settings) -> bool:
    """The environment in `folder`, made when missing or made from another recipe; True when made now."""
    if is_complete(folder, recipe):
        return False
    with locked(folder.with_name(folder.name + ".lock")):
        if is_complete(folder, recipe):  # another process made it while we waited
            return False
        create(runtime, folder, install, recipe, what, settings)
    return True


def installed_version(distribution: str) -> str | None:
    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return None


def mismatches(runtime: Runtime) -> list[str]:
    """How this interpreter differs from the image: its Python minor and key libraries' versions."""
    found = []
    if running_minor() != runtime.python:
        found.append(f"Python {running_minor()} (the image: {runtime.python})")
    for name in IMAGE_PINNED_LIBRARIES:
        pinned, installed = runtime.version_of(name), installed_version(name)
        if pinned and installed != pinned:
            found.append(f"{name} {installed or 'not installed'} (the image: {pinned})")
    return found


def environment_record(runtime: Runtime) -> dict[str, Any]:
    """What a manifest records of the environment a build ran in."""
    versions = {normalise(name): installed_version(name) for name in IMAGE_PINNED_LIBRARIES}
    return {"python": sys.version.split()[0], "minor": running_minor(), "libraries": versions,
            "matches_image": not mismatches(runtime)}
