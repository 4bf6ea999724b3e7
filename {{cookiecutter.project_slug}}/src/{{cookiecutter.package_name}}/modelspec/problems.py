"""What is wrong with a spec, and where: the Problem type and its one wording, the error listing
them, and the loaded spec that keeps its YAML document to find the line of any key.

    File models/main.yaml, line 7 ==> At key model.params.num_leaves ==> expected an integer, got 'many'
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import UsageError
from .model import ModelSpec


@dataclass(frozen=True)
class Problem:
    """One thing wrong with one spec file."""

    file: str
    line: int | None
    key: str
    expected: str

    def __str__(self) -> str:
        where = f"File {self.file}" + (f", line {self.line}" if self.line else "")
        key = f" ==> At key {self.key}" if self.key else ""
        return f"{where}{key} ==> expected {self.expected}"


class SpecError(UsageError):
    """One or more spec files are invalid."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(problem) for problem in problems))


@dataclass(frozen=True)
class LoadedSpec:
    """A validated spec and where it came from."""

    path: Path
    spec: ModelSpec
    document: Any  # the ruamel document, kept to find the line of any key later

    def line_of(self, *keys: Any) -> int | None:
        return line_of(self.document, keys)


def line_of(document: Any, keys: tuple[Any, ...]) -> int | None:
    """1-based line of the deepest key of `keys` that exists in the ruamel `document`."""
    node, line = document, None
    for key in keys:
        lc = getattr(node, "lc", None)
        try:
            if isinstance(node, dict) and key in node:
                line = lc.key(key)[0] + 1 if lc else line
            elif isinstance(node, list) and isinstance(key, int) and 0 <= key < len(node):
                line = lc.item(key)[0] + 1 if lc else line
            else:
                break
        except (KeyError, TypeError):
            break
        node = node[key]
    if line is None and getattr(document, "lc", None) is not None:
        line = document.lc.line + 1
    return line


def display_path(path: Path) -> str:
    """`path` as problems name it: relative to the working directory when inside it."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)

