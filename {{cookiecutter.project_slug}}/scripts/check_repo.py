"""The repository's own tests, as `.github/workflows/test.yml` runs them on every push and pull request.

1. every spec under models/ validates (`numerai-deploy validate`);
2. every slot the change touches (its fingerprint differs from the one at --since; all of them without
   a revision to compare with) builds on synthetic data and passes `check`;
3. your own tests pass: tests/user/ (pytest; an empty folder is fine).

The pipeline's internal suite (the rest of tests/) is another workflow's: `.github/workflows/pipeline.yml`,
run when the pipeline's own code changes or by hand. Run this locally before a push:

    python scripts/check_repo.py                  # every slot
    python scripts/check_repo.py --since main     # only the slots changed since main
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

PACKAGE = "{{ cookiecutter.package_name }}"
ROOT = Path(__file__).resolve().parents[1]
USER_TESTS = ROOT / "tests" / "user"
NO_TESTS_COLLECTED = 5  # pytest's exit code for a folder without tests


def cli(*args: str, capture: bool = False) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", PACKAGE, *args]
    print(f"$ numerai-deploy {' '.join(args)}", flush=True)
    return subprocess.run(command, cwd=ROOT, text=True, stdout=subprocess.PIPE if capture else None)


def touched_slots(since: str | None) -> list[str] | None:
    """The slots to build (their fingerprints changed since `since`), or None when `plan` failed."""
    compare = ["--changed-since", since] if since else ["--force"]
    planned = cli("plan", "--synthetic", *compare, capture=True)
    if planned.returncode != 0:
        return None
    return [entry["slot"] for entry in json.loads(planned.stdout)["include"]]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--since", default="", metavar="REF",
                        help="build only the slots changed since this git revision (default: every slot)")
    args = parser.parse_args(argv)
    started = time.monotonic()
    if cli("validate", "--synthetic").returncode != 0:
        return 1
    slots = touched_slots(args.since or None)
    if slots is None:
        return 1
    if slots and cli("build", "--synthetic", *slots).returncode != 0:
        return 1
    if USER_TESTS.is_dir():
        print("$ pytest tests/user", flush=True)
        tested = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(USER_TESTS)],
                                cwd=ROOT)
        if tested.returncode not in (0, NO_TESTS_COLLECTED):
            return 1
    print(f"repository checks passed in {time.monotonic() - started:.0f} s "
          f"({len(slots)} slot(s) built and checked)", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
