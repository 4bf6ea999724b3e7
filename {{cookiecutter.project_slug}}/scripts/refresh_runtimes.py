"""Refresh runtimes/ (catalogue and lock lists) from numerai-predict's poetry.lock at an image's tag.

    python scripts/refresh_runtimes.py --ref 1a2b3c4 --python 3.12     # py3.12 now runs tag 1a2b3c4
    python scripts/refresh_runtimes.py --ref 1a2b3c4 --python 3.14 --experimental   # add a runtime
    python scripts/refresh_runtimes.py --ref 1a2b3c4 --from ../numerai-predict      # a local checkout at 1a2b3c4
    python scripts/refresh_runtimes.py --report runtimes-report.json   # apply `numerai-deploy runtimes --report`

An image's tag is the numerai-predict commit it was built from, and the image installs the versions
locked in that commit's `py3.XX/poetry.lock` (not requirements.txt, which drifts). So the lock list
of a runtime is keyed by Python minor and tag: `runtimes/py3.XX-<tag>.txt`, named by the entry's
`lock` in `runtimes/catalogue.json`. This writes the new lock lists, then the catalogue (atomically),
then removes lock lists no entry names; nothing is written when any lock cannot be read.
Each lock list doubles as a pip/uv constraints file, so a package the CLI needs at another version
(numerapi) stays listed as a comment; scripts/lock_lists.py holds that format. After a refresh:
reinstall with the new pins, rebuild (the fingerprints change) and run `numerai-deploy check` on the
new pickles.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import urllib.error
import urllib.request
from dataclasses import dataclass
from datetime import date
from pathlib import Path

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10: tomli is the same parser
    try:
        import tomli as tomllib
    except ModuleNotFoundError:
        tomllib = None

from lock_lists import REPOSITORY, lock_header, render_lock

from {{ cookiecutter.package_name }}.errors import UsageError
from {{ cookiecutter.package_name }}.files import write_atomic
from {{ cookiecutter.package_name }}.runtimes import image_for, load_catalogue, lock_file_name, normalise
from {{ cookiecutter.package_name }}.runtimes.libraries import IMAGE_PINNED_LIBRARIES

RAW_URL = "https://raw.githubusercontent.com/{repository}/{ref}/py{python}/poetry.lock"
FLAGS = ("default", "deprecated", "experimental")
COMMIT = re.compile(r"[0-9a-f]{7,40}")
PYTHON = re.compile(r"3\.\d{1,2}")
ROOT = Path(__file__).resolve().parents[1]


class Refused(Exception):
    """Bad input (exit 2)."""


class Unreadable(Exception):
    """A lock that could not be read (exit 1)."""


@dataclass
class Move:
    """One runtime to set: Python minor, tag and flags (None: keep the catalogue's)."""

    python: str
    tag: str | None
    name: str | None = None
    image: str | None = None
    flags: dict | None = None
    remove: bool = False


def fetch_lock(python: str, ref: str, source: Path | None) -> str:
    if source is not None:
        path = source / f"py{python}" / "poetry.lock"
        if not path.is_file():
            raise Unreadable(f"{path} does not exist: numerai-predict has no py{python} there")
        return path.read_text(encoding="utf-8")
    url = RAW_URL.format(repository=REPOSITORY, ref=ref, python=python)
    try:
        with urllib.request.urlopen(url, timeout=60) as response:  # noqa: S310 (a fixed https URL)
            return response.read().decode("utf-8")
    except urllib.error.HTTPError as error:
        if error.code == 404:
            raise Unreadable(f"{REPOSITORY} has no py{python}/poetry.lock at {ref}: no numerai_predict_py_"
                             f"{python.replace('.', '_')}:{ref[:7]} image was built from it") from None
        raise Unreadable(f"{url}: HTTP {error.code}") from None
    except (OSError, ValueError) as error:
        raise Unreadable(f"{url}: {error}") from None


def locked_versions(lock_text: str) -> dict[str, str]:
    """{normalised name: version} of every [[package]] in a poetry.lock."""
    try:
        packages = tomllib.loads(lock_text).get("package", [])
    except tomllib.TOMLDecodeError as error:
        raise Unreadable(f"not a poetry.lock ({error})") from None
    return {normalise(item["name"]): item["version"] for item in packages}


def changes(old: dict[str, str], new: dict[str, str]) -> list[str]:
    """The key pins that changed, then a count of the rest."""
    described = [f"{name} {old.get(name, '-')} -> {new.get(name, '-')}" for name in IMAGE_PINNED_LIBRARIES
                 if old.get(name) != new.get(name)]
    others = sum(1 for name in set(old) | set(new)
                 if name not in IMAGE_PINNED_LIBRARIES and old.get(name) != new.get(name))
    if others:
        described.append(f"{others} other package(s)")
    return described


def catalogue_text(document: dict) -> str:
    """The catalogue as it is kept: one line per runtime, so a diff shows which one moved."""
    head = [f"  {json.dumps(key)}: {json.dumps(value)}," for key, value in document.items() if key != "runtimes"]
    entries = ",\n".join(f"    {json.dumps(entry)}" for entry in document["runtimes"])
    return "{\n" + "\n".join(head) + "\n  \"runtimes\": [\n" + entries + "\n  ]\n}\n"


def moves_from_report(path: Path) -> list[Move]:
    """The changes `numerai-deploy runtimes --report FILE` found; checked, since they come from the API."""
    try:
        report = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise Refused(f"File {path} ==> expected the JSON of `numerai-deploy runtimes --report` ({error})") from None
    if report.get("drift") is not True:
        return []
    moves = []
    for index, change in enumerate(report.get("changes") or []):
        at = f"File {path} ==> At key changes[{index}]"
        if not isinstance(change, dict):
            raise Refused(f"{at} ==> expected an object")
        python, tag, kind = change.get("python"), change.get("tag"), change.get("kind")
        if not isinstance(python, str) or not PYTHON.fullmatch(python):
            raise Refused(f"{at}.python ==> expected a Python minor such as \"3.12\", got {python!r}")
        if not isinstance(tag, str) or not COMMIT.fullmatch(tag):
            raise Refused(f"{at}.tag ==> expected a numerai-predict commit (7+ hex digits), got {tag!r}")
        if kind not in ("new", "retagged", "flags", "gone"):
            raise Refused(f"{at}.kind ==> expected new, retagged, flags or gone, got {kind!r}")
        image = change.get("image")
        if kind == "new" and (not isinstance(image, str) or not re.fullmatch(r"[a-z0-9][a-z0-9./_-]*", image)):
            raise Refused(f"{at}.image ==> expected an image name, got {image!r}")
        flags = {flag: bool(change.get(flag)) for flag in FLAGS}
        name = change.get("name") if isinstance(change.get("name"), str) else None
        moves.append(Move(python=python, tag=tag, name=name, image=image, flags=flags, remove=kind == "gone"))
    # Removals first: an image renamed on Numerai is one runtime gone and one new for the same Python.
    return sorted(moves, key=lambda move: not move.remove)


def apply(moves: list[Move], runtimes_dir: Path, ref_source: Path | None, origin: str) -> list[str]:
    """Fetch every lock first, then write locks, catalogue, and remove the stale locks. Returns a summary."""
    catalogue_file = runtimes_dir / "catalogue.json"
    old = {runtime.python: runtime for runtime in load_catalogue(runtimes_dir)}
    document = json.loads(catalogue_file.read_text(encoding="utf-8"))
    entries = {entry["python"]: entry for entry in document["runtimes"]}
    fetched: dict[tuple[str, str], tuple[str, dict[str, str]]] = {}
    summary = []
    for move in moves:
        if move.remove:
            if entries.pop(move.python, None) is not None:
                summary.append(f"py{move.python}: removed (Numerai no longer lists {old[move.python].image})")
            continue
        entry = entries.get(move.python)
        if entry is None:
            entry = {"name": move.name or f"Python {move.python}", "python": move.python,
                     "image": move.image or image_for(move.python), "tag": "", "default": False,
                     "deprecated": False, "experimental": False, "lock": ""}
            entries[move.python] = entry
            summary.append(f"py{move.python}: added ({entry['image']}:{move.tag})")
        if move.flags:
            for flag, value in move.flags.items():
                if entry.get(flag) != value:
                    if move.python in old:
                        summary.append(f"py{move.python}: {flag} {entry.get(flag, False)} -> {value}")
                    entry[flag] = value
        tag = move.tag[:7]
        lock_name = lock_file_name(move.python, tag)
        if entry["tag"] != tag or entry["lock"] != lock_name or not (runtimes_dir / lock_name).is_file():
            if (move.python, tag) not in fetched:
                versions = locked_versions(fetch_lock(move.python, move.tag, ref_source))
                fetched[(move.python, tag)] = (render_lock(lock_header(move.python, tag, origin), versions), versions)
            before = old[move.python].packages if move.python in old else {}
            was = f"{entry['tag']} -> " if entry["tag"] and entry["tag"] != tag else ""
            summary.append(f"py{move.python}: tag {was}{tag}, {len(fetched[(move.python, tag)][1])} packages; "
                           + ("; ".join(changes(before, fetched[(move.python, tag)][1])) or "no version change"))
            entry["tag"], entry["lock"] = tag, lock_name
    if sum(bool(entry.get("default")) for entry in entries.values()) != 1:
        raise Refused("the refreshed catalogue would not have exactly one \"default\": true runtime ==> "
                      "pass the change that moves the default too, or edit runtimes/catalogue.json")
    order = sorted(entries, key=lambda python: tuple(int(part) for part in python.split(".")))
    document["runtimes"] = [entries[python] for python in order]
    for (python, tag), (text, _) in fetched.items():
        write_atomic(runtimes_dir / lock_file_name(python, tag), text)
    write_atomic(catalogue_file, catalogue_text(document))
    wanted = {entry["lock"] for entry in document["runtimes"]}
    for stale in sorted(runtimes_dir.glob("py3.*.txt")):
        if stale.name not in wanted:
            stale.unlink()
            summary.append(f"removed {stale.name}")
    load_catalogue(runtimes_dir)  # what was written reads back
    return summary


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--ref", default=None, metavar="TAG",
                        help="the image tag: the numerai-predict commit it was built from (7+ hex digits)")
    parser.add_argument("--python", action="append", default=None, metavar="3.XX",
                        help="runtime(s) to move to --ref (default: every one in the catalogue)")
    parser.add_argument("--experimental", action="store_true", help="mark the runtime(s) experimental")
    parser.add_argument("--report", type=Path, default=None, metavar="FILE",
                        help="apply the changes in FILE, from `numerai-deploy runtimes --report FILE`")
    parser.add_argument("--summary", type=Path, default=None, metavar="FILE",
                        help="also write what changed to FILE (Markdown, e.g. a pull request's body)")
    parser.add_argument("--from", dest="source", type=Path, default=None, metavar="DIR",
                        help="a local numerai-predict checkout at --ref instead of GitHub")
    parser.add_argument("--runtimes", type=Path, default=ROOT / "runtimes", metavar="DIR")
    return parser.parse_args(argv)


def moves_from_arguments(args, runtimes_dir: Path) -> list[Move]:
    if args.ref is None or not COMMIT.fullmatch(args.ref):
        raise Refused(f"--ref {args.ref or '(missing)'} ==> expected the image's tag: the numerai-predict commit "
                      "it was built from, 7+ hex digits (`numerai-deploy runtimes` shows Numerai's tags)")
    known = sorted(runtime.python for runtime in load_catalogue(runtimes_dir))
    wanted = args.python or known
    for python in wanted:
        if not PYTHON.fullmatch(python):
            raise Refused(f"--python {python} ==> expected a Python minor such as 3.12")
    flags = {"experimental": True} if args.experimental else None
    return [Move(python=python, tag=args.ref, flags=flags) for python in wanted]


def main(argv=None) -> int:
    args = parse_args(argv)
    if tomllib is None:
        print("error: reading poetry.lock needs Python 3.11+ or `pip install tomli`", file=sys.stderr)
        return 2
    runtimes_dir = args.runtimes
    try:
        if args.report is not None:
            if args.ref or args.python or args.experimental:
                raise Refused("--report FILE ==> expected alone: the report says which runtime moves where")
            moves = moves_from_report(args.report)
            if not moves:
                print(f"{args.report}: no drift, nothing to refresh")
                return 0
        else:
            moves = moves_from_arguments(args, runtimes_dir)
        origin = (f"read from {args.source.name}" if args.source else "fetched") + f" {date.today().isoformat()}"
        summary = apply(moves, runtimes_dir, args.source, origin)
    except (Refused, UsageError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except Unreadable as error:
        print(f"error: {error}; nothing was changed", file=sys.stderr)
        return 1
    print("\n".join(summary) or "no change")
    if args.summary is not None:
        body = ["numerai_predict images moved on Numerai; this refreshes `runtimes/` to match "
                "(`scripts/refresh_runtimes.py`): each lock list is the image tag's own `poetry.lock`.", ""]
        body += [f"- {line}" for line in summary] or ["- no change"]
        body += ["", "Assigned pickles keep running on the image they were uploaded with. Merging this changes the "
                 "fingerprints of the slots on a moved runtime: the deploy workflow rebuilds them on the new pins, "
                 "checks them the way the new image runs them, and uploads them onto it."]
        write_atomic(args.summary, "\n".join(body) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
