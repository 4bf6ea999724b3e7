"""The catalogue of numerai_predict images: Python minor, image, tag and locked versions.

Vendored in `runtimes/` so that building and checking work offline; `numerai-deploy runtimes`
compares it with what Numerai's API reports when credentials are at hand.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import UsageError

PIN = re.compile(r"^#?\s*([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;]+)")


@dataclass(frozen=True)
class Runtime:
    """One numerai_predict image."""

    name: str
    python: str
    image: str
    tag: str
    default: bool
    lock: Path
    deprecated: bool = False
    packages: dict[str, str] = field(default_factory=dict, compare=False, repr=False)

    @property
    def key(self) -> str:
        return f"py{self.python}"

    @property
    def reference(self) -> str:
        return f"{self.image}:{self.tag}"

    def version_of(self, package: str) -> str | None:
        return self.packages.get(normalise(package))


def normalise(package: str) -> str:
    """PEP 503 name normalisation: 'scikit_learn' and 'Scikit-Learn' are the same package."""
    return re.sub(r"[-_.]+", "-", package).lower()


def read_lock(path: Path) -> dict[str, str]:
    """Every version the image locks, commented-out pins included (they are still installed there)."""
    packages = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        match = PIN.match(line.strip())
        if match:
            packages[normalise(match.group(1))] = match.group(2)
    return packages


def load_catalogue(runtimes_dir: Path) -> list[Runtime]:
    path = Path(runtimes_dir) / "catalogue.json"
    try:
        entries = json.loads(path.read_text(encoding="utf-8"))["runtimes"]
    except FileNotFoundError:
        raise UsageError(f"File {path} ==> expected the runtime catalogue; restore it from the template") from None
    except (json.JSONDecodeError, KeyError) as error:
        raise UsageError(f"File {path} ==> expected JSON with a `runtimes` list ({error})") from None
    runtimes = []
    for entry in entries:
        lock = path.parent / entry["lock"]
        runtimes.append(Runtime(
            name=entry["name"], python=entry["python"], image=entry["image"], tag=entry["tag"],
            default=bool(entry.get("default")), deprecated=bool(entry.get("deprecated")),
            lock=lock, packages=read_lock(lock) if lock.exists() else {},
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
