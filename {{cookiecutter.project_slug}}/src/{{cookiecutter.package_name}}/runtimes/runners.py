"""GitHub Actions runners by label: whether GitHub hosts them, and their memory and disk.

`runtimes/runners.json` is the table (GitHub's published sizes, dated, with sources); a user adds
larger runners (`hosted: true`) and self-hosted machines (`hosted: false`) to it. A standard runner
is smaller for a private repository than for a public one: NUMERAI_REPOSITORY_VISIBILITY (set by the
workflows from the event) says which, and an unknown visibility counts as private, the smaller.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import UsageError

RUNNERS_FILE = "runners.json"
# Where code from outside the repository builds (a pull request from a fork), whatever its spec names.
FALLBACK_LABEL = "ubuntu-latest"
SIZES = ("cores", "memory_gb", "disk_gb")


@dataclass(frozen=True)
class Runner:
    """One runner label as the table knows it; sizes are None for a label it does not list."""

    label: str
    hosted: bool
    memory_gb: float | None = None
    disk_gb: float | None = None
    cores: int | None = None
    visibility: str = "private"

    @property
    def known(self) -> bool:
        return self.memory_gb is not None and self.disk_gb is not None

    def describe(self) -> str:
        """'ubuntu-latest (7 GB memory, 14 GB disk; sizes for a private repository)'."""
        if not self.known:
            return f"{self.label} (not in runtimes/{RUNNERS_FILE}: size unknown)"
        return (f"{self.label} ({self.memory_gb:g} GB memory, {self.disk_gb:g} GB disk; "
                f"sizes for a {self.visibility} repository)")


@dataclass(frozen=True)
class RunnerTable:
    path: Path
    entries: dict[str, dict[str, Any]]
    cache_gb: float
    max_matrix_jobs: int = 256  # GitHub's limit per matrix (runners.json `matrix.max_jobs`)

    def hosted(self, label: str) -> bool:
        """Whether GitHub hosts `label` (a fresh VM per job); an unlisted label counts as self-hosted."""
        return bool(self.entries.get(label, {}).get("hosted", False))

    def runner(self, label: str, visibility: str | None) -> Runner:
        """`label`'s sizes for a repository of `visibility` (settings.repository_visibility: None, unknown or
        internal get the private sizes, the smaller)."""
        visibility = "public" if visibility == "public" else "private"
        entry = self.entries.get(label)
        if entry is None:
            return Runner(label, hosted=False, visibility=visibility)
        sizes = entry.get(visibility) or entry["private"]
        return Runner(label, hosted=bool(entry.get("hosted")), memory_gb=sizes["memory_gb"],
                      disk_gb=sizes["disk_gb"], cores=sizes.get("cores"),
                      visibility=visibility if visibility in entry else "private")

    def labels(self) -> list[str]:
        return list(self.entries)


def entry_problem(entry: Any, index: int) -> str | None:
    at = f"At key runners[{index}]"
    if not isinstance(entry, dict) or not isinstance(entry.get("labels"), list) or not entry["labels"] or not all(
            isinstance(label, str) and label for label in entry["labels"]):
        return f"{at}.labels ==> expected a list of runner labels"
    if not isinstance(entry.get("hosted"), bool):
        return f"{at}.hosted ==> expected true (GitHub hosts it) or false (self-hosted)"
    for visibility in ("private", "public"):
        sizes = entry.get(visibility)
        if sizes is None and visibility == "public":
            continue
        if not isinstance(sizes, dict) or not all(
                isinstance(sizes.get(key), (int, float)) and not isinstance(sizes.get(key), bool) and sizes[key] > 0
                for key in ("memory_gb", "disk_gb")):
            return f"{at}.{visibility} ==> expected an object with positive numbers memory_gb and disk_gb"
    return None


def load_runners(runtimes_dir: Path) -> RunnerTable:
    """The runner table of `runtimes_dir`; a malformed one is bad input naming the file and key."""
    path = Path(runtimes_dir) / RUNNERS_FILE
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        entries, cache_gb = data["runners"], float(data["actions_cache"]["gb"])
        max_jobs = int(data["matrix"]["max_jobs"])
    except FileNotFoundError:
        raise UsageError(f"File {path} ==> expected the runner table; restore it from the template") from None
    except (ValueError, KeyError, TypeError) as error:
        raise UsageError(f"File {path} ==> expected JSON with `runners`, `actions_cache.gb` and `matrix.max_jobs` "
                         f"({error})") from None
    if not isinstance(entries, list):
        raise UsageError(f"File {path} ==> At key runners ==> expected a list")
    table: dict[str, dict[str, Any]] = {}
    for index, entry in enumerate(entries):
        problem = entry_problem(entry, index)
        if problem:
            raise UsageError(f"File {path} ==> {problem}")
        for label in entry["labels"]:
            if label in table:
                raise UsageError(f"File {path} ==> At key runners[{index}].labels ==> expected each label once; "
                                 f"{label!r} is listed twice")
            table[label] = entry
    return RunnerTable(path, table, cache_gb, max_jobs)
