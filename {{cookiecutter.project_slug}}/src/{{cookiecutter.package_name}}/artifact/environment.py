"""Where a build trains: a child of this interpreter's Python when it already is the image's (its Python
minor and the image's pins of the key libraries), else of a build environment made for the image once
and reused.

A build environment holds the image's Python minor and this repository's package installed in
editable mode against the image's lock (`-c runtimes/py3.XX-<tag>.txt`, less this package's own tooling:
runtimes.constraints), so every later build starts at
once and sees the current code. `build` runs itself there (`build --here`), whatever Python runs the
CLI: a pickle is only ever made with the libraries Numerai will load it with.

Training always runs in that child, also when this interpreter is the image's: the model's code
(a custom entry point, any estimator) is someone's code. The child gets an allow-listed environment
(no credential: build needs no key) and, where the machine allows, the sandbox a check's pickle runs in
(sandbox.isolation.wrap_training): the repository, the package, the build environment and the data cache
read-only (the parent made the data ready first: prepared.py), no network; it writes only to a private
output folder of its own; the parent
takes the pickles and manifests from there as data (collect.py) and writes dist/ itself. It dies with
the parent (a SIGTERM to `build` ends it too). Every tool the parent runs to make an environment (uv,
pip, the interpreter probe) gets the parent's environment without credentials (runtimes.environments).
"""

from __future__ import annotations

import ctypes
import hashlib
import logging
import os
import shutil
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

from ..errors import UsageError
from ..logs import get_logger
from ..repo import Repo
from ..runtimes import Runtime
from ..runtimes.environments import cache_root, ensure, mismatches, recipe_of
from ..sandbox.bubblewrap import Confinement
from ..sandbox.isolation import NAMESPACES, file_size_limit, wrap_training
from ..settings import KEY_FIELDS, Settings, variable
from .collect import collect
from .prepared import Dataset, write_prepared

log = get_logger(__name__)
PACKAGE = __name__.split(".")[0]
# All the training child sees of the caller's environment: the system's basics and this package's own
# settings but the key's. Nothing else (a database URL, a cloud key, a token) reaches someone's code.
PASSED_THROUGH = ("PATH", "LANG", "LANGUAGE", "TZ", "SSL_CERT_FILE", "SSL_CERT_DIR", "NO_PROXY", "no_proxy")
PASSED_THROUGH_PREFIXES = ("LC_",)
FILE_AT_MOST = 16 * 2**30  # any one file training writes
PR_SET_PDEATHSIG = 1
PREPARED = "prepared-data.json"  # in the private folder: where each slot's data is


def project_root(repo: Repo) -> Path:
    """The project this package runs from (src/<package>/ under it), installed in editable mode; else
    the repository's, when it has one."""
    for root in (repo.package_dir.parent.parent, repo.root.resolve()):
        if (root / "pyproject.toml").is_file():
            return root
    raise UsageError(f"{repo.root}: no pyproject.toml to install the package from ==> run build in the "
                     "repository the template baked (or pass --repo DIR), or build with --here")


def build_environment_folder(project: Path, runtime: Runtime, settings: Settings) -> Path:
    """One per project, runtime and dependency list: a changed pyproject.toml or lock makes a new one."""
    recipe_text = "\n".join([str(project), runtime.python, recipe_of(runtime),
                             (project / "pyproject.toml").read_text(encoding="utf-8")])
    return cache_root(settings) / f"build-py{runtime.python}-{hashlib.sha256(recipe_text.encode()).hexdigest()[:12]}"


def ensure_build_environment(repo: Repo, runtime: Runtime) -> Path:
    """The build environment's Python for `runtime`, made when missing."""
    project = project_root(repo)
    folder = build_environment_folder(project, runtime, repo.settings)
    recipe = {"editable": str(project), "runtime": runtime.reference}
    ensure(runtime, folder, ["-e", str(project)], recipe, "build", repo.settings)
    return folder / "bin" / "python"


def refuse_mismatch(runtime: Runtime) -> None:
    """--here: this interpreter must already be the image's, or nothing is trained."""
    found = mismatches(runtime)
    if found:
        raise UsageError(f"--here builds in this Python, which is not the {runtime.name} image's: "
                         f"{'; '.join(found)} ==> drop --here (build then trains in the image's environment, made "
                         f"once), or run from a Python {runtime.python} environment installed under "
                         f"{runtime.pins_path} (README: Quick start)")


def runs_here(runtime: Runtime) -> bool:
    return not mismatches(runtime)


def training_python(repo: Repo, runtime: Runtime) -> Path:
    """This interpreter when it is the image's, else the runtime's build environment (made when missing)."""
    if runs_here(runtime):
        return Path(sys.executable)
    python = ensure_build_environment(repo, runtime)
    log.info(f"build: this Python is not the {runtime.name} image's ({'; '.join(mismatches(runtime))}); "
             f"training in {python.parent.parent}")
    return python


def training_environment(private: Path, caller: dict[str, str]) -> dict[str, str]:
    """An allow-list: PATH, locale, TLS roots, this package's settings less the key's; HOME and TMPDIR private."""
    settings = {variable(name) for name in Settings.model_fields if name not in KEY_FIELDS}
    environment = {name: value for name, value in caller.items()
                   if name in PASSED_THROUGH or name.startswith(PASSED_THROUGH_PREFIXES) or name in settings}
    environment.setdefault("PATH", os.defpath)
    environment.update(HOME=str(private / "home"), TMPDIR=str(private / "tmp"))
    return environment


def confinement(repo: Repo, private: Path) -> Confinement:
    """Read-only: the repository, the project the package is installed from, the package and the data cache
    (the parent made the data ready: prepared.py); writable: the private folder only. No network."""
    readable = (repo.root.resolve(), project_root(repo), repo.package_dir, repo.data_cache.resolve())
    return Confinement(readable, (private,), private / "work", network=False)


def dies_with_parent() -> None:
    """Popen's preexec_fn: the child is killed when `build` ends (SIGTERM included), and writes no huge file."""
    ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    file_size_limit(FILE_AT_MOST)()


def build_in_child(repo: Repo, runtime: Runtime, data: dict[str, Dataset], *, synthetic: bool, out_dir: Path,
                   names: list[str]) -> int:
    """Run `build --here` for the slots of `data` (each slot's prepared dataset) in a confined child with an
    allow-listed environment, writing to a private folder; then take the pickles `names` from there into
    `out_dir`. The child's exit code."""
    python = training_python(repo, runtime)
    private = Path(tempfile.mkdtemp(prefix="numerai-build-"))
    try:
        for folder in ("out", "work", "home", "tmp"):
            (private / folder).mkdir()
        repo.data_cache.mkdir(parents=True, exist_ok=True)
        write_prepared(private / PREPARED, data)
        command = [str(python), "-m", PACKAGE, "build", "--here", "--no-check", "--repo", str(repo.root.resolve()),
                   "--out", str(private / "out"), "--prepared-data", str(private / PREPARED),
                   *(["--synthetic"] if synthetic else []), *data]
        command = wrap_training(command, confinement(repo, private),
                                required=repo.settings.check_isolation == NAMESPACES)
        environment = training_environment(private, repo.settings.environment())
        if log.isEnabledFor(logging.DEBUG):  # --debug: the child shows its tracebacks too
            environment["NUMERAI_DEBUG"] = "1"
        sys.stdout.flush()
        code = subprocess.run(command, env=environment, cwd=private / "work",
                              preexec_fn=dies_with_parent).returncode
        if code == 0:
            for name in names:
                collect(private / "out", name, out_dir)
        return code
    finally:
        shutil.rmtree(private, ignore_errors=True)
