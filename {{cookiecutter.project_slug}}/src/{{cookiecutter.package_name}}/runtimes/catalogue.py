"""The catalogue of numerai_predict images: Python minor, image, tag and locked versions.

Vendored in `runtimes/` so that building and checking work offline; `numerai-deploy runtimes`
compares it with what Numerai's API reports when credentials are at hand.

An image's tag is the numerai-predict commit it was built from, and the image carries that
commit's `py3.XX/poetry.lock`. So the locked versions are keyed by runtime *and* tag: each entry's
`lock` is `runtimes/py3.XX-<tag>.txt` (`lock_file_name`), and a new tag means a new lock file
(`scripts/refresh_runtimes.py --ref TAG --python 3.XX` writes both).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import UsageError
from .constraints import normalise as normalise  # re-exported (runtimes/__init__.py)
from .image import BuiltImage

PIN = re.compile(r"^#?\s*([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;]+)")
PYTHON = re.compile(r"3\.\d{1,2}")
TAG = re.compile(r"[0-9a-f]{7,40}")
REQUIRED = ("name", "python", "image", "tag", "lock")
FLAGS = ("default", "deprecated", "experimental")


@dataclass(frozen=True)
class Runtime(BuiltImage):
    """One numerai_predict image of the catalogue, with its flags and locked versions."""

    default: bool
    lock: Path
    deprecated: bool = False
    experimental: bool = False
    packages: dict[str, str] = field(default_factory=dict, compare=False, repr=False)

    @property
    def key(self) -> str:
        return f"py{self.python}"

    @property
    def pins_path(self) -> str:
        """The lock file as a repository path, for messages and commands: `runtimes/py3.12-a78dedd.txt`."""
        return f"runtimes/{self.lock.name}"

    @property
    def marks(self) -> list[str]:
        return [flag for flag in FLAGS if getattr(self, flag)]

    def version_of(self, package: str) -> str | None:
        return self.packages.get(normalise(package))


def lock_file_name(python: str, tag: str) -> str:
    """The lock list of one image: Python minor and tag (the numerai-predict commit it was built from)."""
    return f"py{python}-{tag}.txt"


def image_for(python: str) -> str:
    """numerai_predict's image name for a Python minor: 3.12 -> ghcr.io/numerai/numerai_predict_py_3_12."""
    return f"ghcr.io/numerai/numerai_predict_py_{python.replace('.', '_')}"


def python_of_image(image: str) -> str | None:
    """The Python minor an image name carries (numerai_predict_py_3_12 -> 3.12), if it carries one."""
    match = re.search(r"py_?(3)[._](\d{1,2})\b", image)
    return f"{match.group(1)}.{match.group(2)}" if match else None


def read_lock(path: Path) -> dict[str, str]:
    """Every version the image locks, commented-out pins included (they are still installed there)."""
    packages = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        match = PIN.match(line.strip())
        if match:
            packages[normalise(match.group(1))] = match.group(2)
    return packages


def entry_problem(entry: Any, index: int) -> str | None:
    """What is wrong with one catalogue entry, as `At key ... ==> expected ...`, or None."""
    at = f"At key runtimes[{index}]"
    if not isinstance(entry, dict):
        return f"{at} ==> expected an object with {', '.join(REQUIRED)}"
    for key in REQUIRED:
        if not isinstance(entry.get(key), str) or not entry[key]:
            return f"{at}.{key} ==> expected a non-empty string"
    if not PYTHON.fullmatch(entry["python"]):
        return f"{at}.python ==> expected a Python minor such as \"3.12\", got {entry['python']!r}"
    if not TAG.fullmatch(entry["tag"]):
        return (f"{at}.tag ==> expected the numerai-predict commit the image was built from "
                f"(7+ hex digits), got {entry['tag']!r}")
    expected = lock_file_name(entry["python"], entry["tag"])
    if entry["lock"] != expected:
        return (f"{at}.lock ==> expected {expected!r} (the lock of Python {entry['python']} at tag "
                f"{entry['tag']}), got {entry['lock']!r}; run scripts/refresh_runtimes.py --ref {entry['tag']} "
                f"--python {entry['python']}")
    for flag in FLAGS:
        if not isinstance(entry.get(flag, False), bool):
            return f"{at}.{flag} ==> expected true or false"
    return None


def load_catalogue(runtimes_dir: Path) -> list[Runtime]:
    path = Path(runtimes_dir) / "catalogue.json"
    try:
        entries = json.loads(path.read_text(encoding="utf-8"))["runtimes"]
    except FileNotFoundError:
        raise UsageError(f"File {path} ==> expected the runtime catalogue; restore it from the template") from None
    except (json.JSONDecodeError, KeyError, TypeError) as error:
        raise UsageError(f"File {path} ==> expected JSON with a `runtimes` list ({error})") from None
    if not isinstance(entries, list):
        raise UsageError(f"File {path} ==> At key runtimes ==> expected a list of runtimes")
    runtimes, seen = [], set()
    for index, entry in enumerate(entries):
        problem = entry_problem(entry, index)
        if problem:
            raise UsageError(f"File {path} ==> {problem}")
        if entry["python"] in seen:
            raise UsageError(f"File {path} ==> At key runtimes[{index}].python ==> expected one entry per "
                             f"Python minor; {entry['python']} is listed twice")
        seen.add(entry["python"])
        lock = path.parent / entry["lock"]
        if not lock.is_file():
            raise UsageError(f"File {lock} ==> expected the versions locked in {entry['image']}:{entry['tag']}; "
                             f"run scripts/refresh_runtimes.py --ref {entry['tag']} --python {entry['python']}")
        runtimes.append(Runtime(
            name=entry["name"], python=entry["python"], image=entry["image"], tag=entry["tag"],
            default=bool(entry.get("default")), deprecated=bool(entry.get("deprecated")),
            experimental=bool(entry.get("experimental")), lock=lock, packages=read_lock(lock),
        ))
    return runtimes


def default_runtime(runtimes: list[Runtime]) -> Runtime:
    defaults = [runtime for runtime in runtimes if runtime.default]
    if len(defaults) != 1:
        raise UsageError("runtimes/catalogue.json ==> expected exactly one runtime with \"default\": true")
    return defaults[0]


def resolve_runtime(choice: str, runtimes: list[Runtime]) -> Runtime:
    """'default', '3.12' or 'py3.12' to its catalogue entry."""
    if choice == "default":
        return default_runtime(runtimes)
    wanted = choice.removeprefix("py")
    for runtime in runtimes:
        if runtime.python == wanted:
            return runtime
    known = ", ".join(runtime.python for runtime in runtimes)
    raise UsageError(f"runtime {choice!r} ==> expected 'default' or one of {known}")
