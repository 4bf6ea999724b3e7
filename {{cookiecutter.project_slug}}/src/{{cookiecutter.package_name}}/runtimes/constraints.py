"""The constraints every install of this package is made under: an image's lock, less our own tooling.

A pickle carries objects of the image's libraries, so whatever a build or check installs takes the
version the image locks (runtimes/py3.XX-<tag>.txt), except the tooling this package uses itself and
no pickle carries: numerai-tools (Numerai's submission validation and scoring, for `check` and the
validation metrics) and ruff (the 3.13 image locks its own linter's release; ours is the one of the
pre-commit hook, pinned in pyproject.toml's dev extra). The images lock numerai-tools 0.3.3 to 0.4.x,
whose releases up to 0.4.2 require torch, and PyPI's torch for Linux brings 14 nvidia-* CUDA wheels:
5.7 GB of install for nothing a pickle holds. Left out of the constraints, numerai-tools installs at its
current release, which needs no torch (Numerai validates uploads with its current release too). torch
then comes in only when a repository's own code asks for it (a dependency in pyproject.toml), at the
lock's version.

Python 3.10: every numerai-tools release without torch needs numpy 2, the 3.10 image pins 1.26, so
pyproject.toml installs none there and `check` and the metrics use faithful ports.

The one place this rule lives: the build and check environments (runtimes.environments), the setup
action of the workflows and the template's own tests use it; the last two run it as a script, with
the standard library only, before the package is installed:

    python src/<package>/runtimes/constraints.py runtimes/py3.12-a78dedd.txt > constraints.txt
    python src/<package>/runtimes/constraints.py 3.12 > constraints.txt   # the lock the catalogue names
"""

from __future__ import annotations

import hashlib
import os
import re
import sys
from pathlib import Path

# Distributions this package installs for itself at their current release, not the image's.
TOOLING = ("numerai-tools", "ruff")
PIN_NAME = re.compile(r"^#?\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*==")
HEADER = "# {lock}, less this package's own tooling ({tooling}): see src/<package>/runtimes/constraints.py\n"


def normalise(package: str) -> str:
    """PEP 503 name normalisation: 'scikit_learn' and 'Scikit-Learn' are the same package."""
    return re.sub(r"[-_.]+", "-", package).lower()


def is_tooling(line: str) -> bool:
    match = PIN_NAME.match(line.strip())
    return match is not None and normalise(match.group(1)) in TOOLING


def constraints_text(lock_text: str, lock_name: str = "the image's lock") -> str:
    """The lock's lines, less those of the tooling."""
    kept = [line for line in lock_text.splitlines(keepends=True) if not is_tooling(line)]
    return HEADER.format(lock=lock_name, tooling=", ".join(TOOLING)) + "".join(kept)


def constraints_file(lock: Path, folder: Path) -> Path:
    """The constraints of `lock` as a file in `folder` (named by its content; written once)."""
    text = constraints_text(lock.read_text(encoding="utf-8"), lock.name)
    path = Path(folder) / f"{lock.stem}-{hashlib.sha256(text.encode()).hexdigest()[:12]}.constraints.txt"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(f"{path.name}.{os.getpid()}.partial")
        partial.write_text(text, encoding="utf-8")
        partial.replace(path)
    return path


def lock_of(python: str, runtimes: Path = Path("runtimes")) -> Path:
    """The lock runtimes/catalogue.json names for a Python minor ("3.12"): no tag to keep up to date."""
    import json

    entries = json.loads((runtimes / "catalogue.json").read_text(encoding="utf-8"))["runtimes"]
    [lock] = [str(entry["lock"]) for entry in entries if entry["python"] == python]
    return runtimes / lock


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: python constraints.py runtimes/py3.XX-<tag>.txt (or a Python minor, 3.12, run in the "
              "repository) > constraints.txt", file=sys.stderr)
        return 2
    lock = lock_of(argv[0]) if re.fullmatch(r"3\.\d+", argv[0]) else Path(argv[0])
    sys.stdout.write(constraints_text(lock.read_text(encoding="utf-8"), lock.name))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
