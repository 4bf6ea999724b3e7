"""Refresh runtimes/py3.XX.txt from numerai-predict's poetry.lock files (needs internet, or --from).

    python scripts/refresh_runtimes.py                       # every runtime, at numerai-predict master
    python scripts/refresh_runtimes.py --ref 1a2b3c4 --tag   # at a commit; also set the image tag to it
    python scripts/refresh_runtimes.py --from ../numerai-predict --python 3.12   # from a local checkout

The images install the versions locked in `py3.XX/poetry.lock` (not requirements.txt, which drifts).
Each lock list doubles as a pip/uv constraints file, so a package the CLI needs at another version
(numerapi) stays listed as a comment. After a refresh: rebuild (the fingerprints change) and run
`numerai-deploy check` on the new pickles.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import urllib.request
from datetime import date
from pathlib import Path

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10: tomli is the same parser
    try:
        import tomli as tomllib
    except ModuleNotFoundError:
        tomllib = None

from {{ cookiecutter.package_name }}.files import write_atomic
from {{ cookiecutter.package_name }}.runtimes import load_catalogue, normalise, read_lock

REPOSITORY = "numerai/numerai-predict"
RAW_URL = "https://raw.githubusercontent.com/{repository}/{ref}/py{python}/poetry.lock"
CLI_ONLY = {"numerapi"}  # the deploy client needs a newer numerapi; pickles never use it
KEY_PINS = ("numpy", "pandas", "scikit-learn", "lightgbm", "cloudpickle", "pyarrow")
ROOT = Path(__file__).resolve().parents[1]


def fetch_lock(python: str, ref: str, source: Path | None) -> str:
    if source is not None:
        return (source / f"py{python}" / "poetry.lock").read_text(encoding="utf-8")
    url = RAW_URL.format(repository=REPOSITORY, ref=ref, python=python)
    with urllib.request.urlopen(url, timeout=60) as response:
        return response.read().decode("utf-8")


def locked_versions(lock_text: str) -> dict[str, str]:
    """{normalised name: version} of every [[package]] in a poetry.lock."""
    return {normalise(item["name"]): item["version"] for item in tomllib.loads(lock_text).get("package", [])}


def lock_file_text(python: str, versions: dict[str, str], origin: str) -> str:
    lines = [f"# Package versions locked in the numerai_predict_py_{python.replace('.', '_')} image",
             f"# ({REPOSITORY}, py{python}/poetry.lock at {origin}).",
             "# All platforms are listed; the linux/amd64 image installs the ones that apply."]
    for name in sorted(versions):
        pin = f"{name}=={versions[name]}"
        if name in CLI_ONLY:
            pin = f"# {pin}  (not a constraint: the deploy client needs a newer version; pickles never use it)"
        lines.append(pin)
    return "\n".join(lines) + "\n"


def changes(old: dict[str, str], new: dict[str, str]) -> list[str]:
    """The key pins that changed, then a count of the rest."""
    described = [f"{name} {old.get(name, '-')} -> {new.get(name, '-')}" for name in KEY_PINS
                 if old.get(name) != new.get(name)]
    others = sum(1 for name in set(old) | set(new) if name not in KEY_PINS and old.get(name) != new.get(name))
    if others:
        described.append(f"{others} other package(s)")
    return described


def set_tag(catalogue_file: Path, python: str, tag: str) -> None:
    document = json.loads(catalogue_file.read_text(encoding="utf-8"))
    for entry in document["runtimes"]:
        if entry["python"] == python:
            entry["tag"] = tag
    write_atomic(catalogue_file, json.dumps(document, indent=2) + "\n")


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--ref", default="master", help="git ref of numerai-predict (default: master)")
    parser.add_argument("--from", dest="source", type=Path, default=None, metavar="DIR",
                        help="a local numerai-predict checkout instead of GitHub")
    parser.add_argument("--python", action="append", default=None, metavar="3.XX",
                        help="runtime(s) to refresh (default: every one in the catalogue)")
    parser.add_argument("--tag", action="store_true",
                        help="also set the image tag in runtimes/catalogue.json to the first 7 characters of --ref")
    parser.add_argument("--runtimes", type=Path, default=ROOT / "runtimes", metavar="DIR")
    return parser.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    if tomllib is None:
        print("error: reading poetry.lock needs Python 3.11+ or `pip install tomli`", file=sys.stderr)
        return 2
    if args.tag and not re.fullmatch(r"[0-9a-f]{7,40}", args.ref):
        print(f"error: --tag needs --ref to be a commit (7+ hex digits), not {args.ref!r}", file=sys.stderr)
        return 2
    catalogue = {runtime.python: runtime for runtime in load_catalogue(args.runtimes)}
    wanted = args.python or sorted(catalogue)
    unknown = [python for python in wanted if python not in catalogue]
    if unknown:
        print(f"error: --python {unknown[0]} is not in {args.runtimes / 'catalogue.json'} "
              f"(known: {', '.join(sorted(catalogue))}); add an entry first", file=sys.stderr)
        return 2
    origin = f"{args.source}" if args.source else f"{args.ref}, refreshed {date.today().isoformat()}"
    for python in wanted:
        runtime = catalogue[python]
        try:
            versions = locked_versions(fetch_lock(python, args.ref, args.source))
        except (OSError, ValueError) as error:
            print(f"error: py{python}: could not read poetry.lock: {error}", file=sys.stderr)
            return 1
        old = read_lock(runtime.lock) if runtime.lock.exists() else {}
        write_atomic(runtime.lock, lock_file_text(python, versions, origin))
        if args.tag:
            set_tag(args.runtimes / "catalogue.json", python, args.ref[:7])
        print(f"py{python}: {len(versions)} packages; " + ("; ".join(changes(old, versions)) or "no change"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
