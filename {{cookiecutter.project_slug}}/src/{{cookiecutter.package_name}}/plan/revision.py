"""Fingerprints as they were at another git revision (the base of a pull request, the commit
before a push), computed from that revision's specs, runtimes and package code.

The revision's files are read with `git archive` into a temporary folder: nothing in the work
tree or the repository's git state changes.
"""

from __future__ import annotations

import io
import subprocess
import tarfile
import tempfile
from pathlib import Path
from typing import Any

from ..artifact.fingerprint import fingerprint
from ..errors import UsageError
from ..logs import get_logger
from ..modelspec import load_specs
from ..repo import Repo
from ..runtimes import load_catalogue, resolve_runtime

log = get_logger(__name__)

# What a fingerprint is made of, relative to the repository's root (datasets/: the specs' defaults).
INPUTS = ("models", "runtimes", "datasets", "src")
NULL_COMMIT = "0" * 40


def git(root: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(["git", "-C", str(root), *args], capture_output=True)


def resolve_commit(root: Path, ref: str) -> str | None:
    """The commit `ref` names, or None for an empty ref, the null commit of a new branch or an
    unknown ref (a shallow clone without it, a force-pushed history)."""
    if not ref or ref.strip("0") == "":
        return None
    found = git(root, "rev-parse", "--verify", "--quiet", ref + "^{commit}")
    return found.stdout.decode().strip() if found.returncode == 0 else None


def extract(root: Path, commit: str, destination: Path) -> bool:
    """Write the fingerprint inputs of `commit` under `destination`; False when it has none."""
    prefix = git(root, "rev-parse", "--show-prefix")
    if prefix.returncode != 0:
        return False
    tree = f"{commit}:{prefix.stdout.decode().strip()}"
    listing = git(root, "ls-tree", "--name-only", tree)
    present = [name for name in INPUTS if name in listing.stdout.decode().splitlines()]
    if listing.returncode != 0 or "models" not in present:
        return False
    archive = git(root, "archive", "--format=tar", tree, *present)
    if archive.returncode != 0:
        return False
    with tarfile.open(fileobj=io.BytesIO(archive.stdout)) as bundle:
        # The "data" filter refuses links and paths outside `destination` where Python has it.
        safety: dict[str, Any] = {"filter": "data"} if hasattr(tarfile, "data_filter") else {}
        bundle.extractall(destination, **safety)
    return True


def fingerprints_at(repo: Repo, ref: str, synthetic: bool) -> dict[str, str] | None:
    """{slot: fingerprint} at `ref`, or None when there is nothing to compare with there
    (every slot then counts as changed)."""
    commit = resolve_commit(repo.root, ref)
    if commit is None:
        log.info(f"plan: no commit {ref!r} to compare with; every slot counts as changed")
        return None
    with tempfile.TemporaryDirectory(prefix="numerai-plan-") as folder:
        then = Repo(Path(folder), repo.settings)
        package_dir = then.root / "src" / repo.package_dir.name
        if not extract(repo.root, commit, then.root) or not package_dir.is_dir():
            log.info(f"plan: {commit[:12]} has no models/ or package; every slot counts as changed")
            return None
        try:
            catalogue = load_catalogue(then.runtimes)
            specs = load_specs(then.models, runtimes=[runtime.python for runtime in catalogue])
            return {
                item.spec.slot: fingerprint(item.spec, resolve_runtime(item.spec.runtime, catalogue),
                                            package_dir, synthetic)
                for item in specs
            }
        except UsageError as error:
            log.info(f"plan: the specs at {commit[:12]} do not load ({error}); every slot counts as changed")
            return None
