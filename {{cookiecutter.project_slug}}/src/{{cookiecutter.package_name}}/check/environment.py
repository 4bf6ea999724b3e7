"""Check environments: a virtual environment per runtime and pin set, made once and reused.

Each holds the image's Python minor and the image's locked versions of what a pickle needs (plus
pyarrow, to read parquet as predict.py does). They live under
`${XDG_CACHE_HOME:-~/.cache}/numerai-gitops/runtimes/py3.XX-<hash>` (NUMERAI_RUNTIME_CACHE moves
them), shared by every repository on the machine, so the first check per runtime pays for the
install and every later one starts at once.
"""

from __future__ import annotations

import fcntl
import glob
import hashlib
import json
import os
import shutil
import subprocess
import sys
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from ..errors import UsageError, WorkFailed
from ..logs import get_logger
from ..runtimes import Runtime, normalise
from ..settings import load_settings

log = get_logger(__name__)

CACHE_VARIABLE = "NUMERAI_RUNTIME_CACHE"
# What every check needs whatever the model: predict.py reads parquet with pandas.
BASE_DISTRIBUTIONS = ("numpy", "pandas", "pyarrow", "cloudpickle")
COMPLETE_MARKER = ".numerai-check.json"
PROBE = "import os, sys; print('%d.%d' % sys.version_info[:2]); print(os.path.realpath(sys.executable))"


@dataclass(frozen=True)
class CheckEnvironment:
    folder: Path
    requirements: tuple[str, ...]
    created: bool
    seconds: float

    @property
    def python(self) -> Path:
        return self.folder / "bin" / "python"


def cache_root() -> Path:
    override = load_settings().runtime_cache
    if override:
        return override.expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "numerai-gitops" / "runtimes"


def requirements(runtime: Runtime, distributions: set[str]) -> tuple[str, ...]:
    """`name==version` from the image's lock for the base set plus `distributions` it has."""
    wanted = {normalise(name) for name in (*BASE_DISTRIBUTIONS, *distributions)}
    return tuple(sorted(f"{name}=={runtime.packages[name]}" for name in wanted if name in runtime.packages))


def environment_folder(runtime: Runtime, pins: tuple[str, ...]) -> Path:
    """Named by Python minor and a hash of the pins and the whole lock (it constrains dependencies)."""
    digest = hashlib.sha256("\n".join([runtime.python, *pins, runtime.lock.read_text(encoding="utf-8")]).encode())
    return cache_root() / f"py{runtime.python}-{digest.hexdigest()[:12]}"


def interpreter_candidates(minor: str):
    """Where a Python minor may be: this interpreter, PATH, pyenv's versions, `uv python find`.

    pyenv's shims are skipped for pyenv's own folders: the probe reports the real executable.
    """
    if f"{sys.version_info[0]}.{sys.version_info[1]}" == minor:
        yield sys.executable
    yield shutil.which(f"python{minor}")
    root = os.environ.get("PYENV_ROOT") or os.path.expanduser("~/.pyenv")
    yield from sorted(glob.glob(f"{root}/versions/{minor}.*/bin/python{minor}"), reverse=True)
    uv = uv_executable()
    if uv:
        found = subprocess.run([uv, "python", "find", minor], capture_output=True, text=True,
                               env=installer_environment())
        yield found.stdout.strip() if found.returncode == 0 else None


def find_interpreter(minor: str) -> str | None:
    """The real executable of a Python `minor`, or None."""
    for candidate in interpreter_candidates(minor):
        if not candidate:
            continue
        try:
            probe = subprocess.run([candidate, "-c", PROBE], capture_output=True, text=True, timeout=30)
        except (OSError, subprocess.TimeoutExpired):
            continue
        lines = probe.stdout.split()
        if probe.returncode == 0 and len(lines) == 2 and lines[0] == minor:
            return lines[1]
    return None


def uv_executable() -> str | None:
    beside = Path(sys.executable).parent / "uv"
    return str(beside) if beside.exists() else shutil.which("uv")


def installer_environment() -> dict[str, str]:
    environment = {key: value for key, value in os.environ.items() if key not in ("VIRTUAL_ENV", "PYTHONPATH")}
    environment.setdefault("UV_PYTHON_DOWNLOADS", "never")
    return environment


def install_commands(interpreter: str, folder: Path, pins: tuple[str, ...], lock: Path) -> list[list[str]]:
    """uv when available (fast, shares a cache), else venv and pip; the lock constrains dependencies."""
    uv = uv_executable()
    python = str(folder / "bin" / "python")
    if uv:
        return [[uv, "venv", "-q", "--python", interpreter, str(folder)],
                [uv, "pip", "install", "-q", "--python", python, "-c", str(lock), *pins]]
    return [[interpreter, "-m", "venv", str(folder)],
            [python, "-m", "pip", "install", "-q", "--disable-pip-version-check", "-c", str(lock), *pins]]


@contextmanager
def locked(path: Path):
    """An exclusive lock across processes: two checks never build the same environment at once."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def is_complete(folder: Path, pins: tuple[str, ...]) -> bool:
    marker = folder / COMPLETE_MARKER
    try:
        return tuple(json.loads(marker.read_text())["requirements"]) == pins and (folder / "bin" / "python").exists()
    except (OSError, ValueError, KeyError):
        return False


def create(runtime: Runtime, folder: Path, pins: tuple[str, ...]) -> None:
    interpreter = find_interpreter(runtime.python)
    if interpreter is None:
        raise UsageError(f"no Python {runtime.python} found (on PATH, in pyenv's versions or by `uv python find`) "
                         f"==> install it, e.g. `uv python install {runtime.python}` or "
                         f"`pyenv install {runtime.python}`; the check runs pickles on the image's Python")
    log.info(f"check: creating the Python {runtime.python} check environment {folder} ({len(pins)} pinned packages)")
    shutil.rmtree(folder, ignore_errors=True)
    for command in install_commands(interpreter, folder, pins, runtime.lock):
        result = subprocess.run(command, capture_output=True, text=True, env=installer_environment())
        if result.returncode != 0:
            shutil.rmtree(folder, ignore_errors=True)
            tail = " ".join((result.stderr or result.stdout).strip().splitlines()[-3:])
            raise WorkFailed(f"could not create the Python {runtime.python} check environment "
                             f"({' '.join(command[:3])} ...): {tail} ==> offline, the packages must already "
                             "be in uv's or pip's cache")
    (folder / COMPLETE_MARKER).write_text(json.dumps({"requirements": list(pins), "python": interpreter}))


def ensure_environment(runtime: Runtime, distributions: set[str]) -> CheckEnvironment:
    """The cached environment for `runtime` with `distributions`, created when missing."""
    started = time.monotonic()
    pins = requirements(runtime, distributions)
    folder = environment_folder(runtime, pins)
    if is_complete(folder, pins):
        return CheckEnvironment(folder, pins, False, time.monotonic() - started)
    with locked(folder.with_name(folder.name + ".lock")):
        created = not is_complete(folder, pins)  # another process may have made it while we waited
        if created:
            create(runtime, folder, pins)
    return CheckEnvironment(folder, pins, created, time.monotonic() - started)
