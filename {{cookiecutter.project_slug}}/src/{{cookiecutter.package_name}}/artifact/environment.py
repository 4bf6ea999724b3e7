"""Where a build trains: a child of this interpreter's Python when it already is the image's (its Python
minor and the image's pins of the key libraries), else of a build environment made for the image once
and reused.

A build environment holds the image's Python minor and this repository's package installed in
editable mode against the image's lock (`-c runtimes/py3.XX-<tag>.txt`, less this package's own tooling:
runtimes.constraints), so every later build starts at
once and sees the current code. `build` runs itself there (`build --here`), whatever Python runs the
CLI: a pickle is only ever made with the libraries Numerai will load it with.

Training always runs in that child, also when this interpreter is the image's: the model's code
(a custom entry point, any estimator) is someone's code, and the child's environment holds no
credential (settings.without_credentials; build needs no key), and the caller isolates it further
where the machine allows (sandbox.isolation.wrap_training: no other process, so no other environment,
visible to it).
"""

from __future__ import annotations

import hashlib
import logging
import os
import subprocess
import sys
from pathlib import Path

from ..errors import UsageError
from ..logs import get_logger
from ..repo import Repo
from ..runtimes import Runtime
from ..runtimes.environments import cache_root, ensure, mismatches, recipe_of
from ..sandbox.isolation import wrap_training
from ..settings import without_credentials

log = get_logger(__name__)
PACKAGE = __name__.split(".")[0]


def project_root(repo: Repo) -> Path:
    """The project this package runs from (src/<package>/ under it), installed in editable mode; else
    the repository's, when it has one."""
    for root in (repo.package_dir.parent.parent, repo.root.resolve()):
        if (root / "pyproject.toml").is_file():
            return root
    raise UsageError(f"{repo.root}: no pyproject.toml to install the package from ==> run build in the "
                     "repository the template baked (or pass --repo DIR), or build with --here")


def build_environment_folder(project: Path, runtime: Runtime) -> Path:
    """One per project, runtime and dependency list: a changed pyproject.toml or lock makes a new one."""
    recipe_text = "\n".join([str(project), runtime.python, recipe_of(runtime),
                             (project / "pyproject.toml").read_text(encoding="utf-8")])
    return cache_root() / f"build-py{runtime.python}-{hashlib.sha256(recipe_text.encode()).hexdigest()[:12]}"


def ensure_build_environment(repo: Repo, runtime: Runtime) -> Path:
    """The build environment's Python for `runtime`, made when missing."""
    project = project_root(repo)
    folder = build_environment_folder(project, runtime)
    recipe = {"editable": str(project), "runtime": runtime.reference}
    ensure(runtime, folder, ["-e", str(project)], recipe, "build")
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


def build_in_child(repo: Repo, runtime: Runtime, slots: list[str], *, synthetic: bool, out_dir: Path) -> int:
    """Run `build --here` for `slots` in a confined child without credentials; its exit code."""
    python = training_python(repo, runtime)
    command = [str(python), "-m", PACKAGE, "build", "--here", "--no-check", "--repo", str(repo.root.resolve()),
               "--out", str(Path(out_dir).resolve()), *(["--synthetic"] if synthetic else []), *slots]
    command = wrap_training(command)
    environment = without_credentials(os.environ)
    if log.isEnabledFor(logging.DEBUG):  # --debug: the child shows its tracebacks too
        environment["NUMERAI_DEBUG"] = "1"
    sys.stdout.flush()
    return subprocess.run(command, env=environment).returncode
