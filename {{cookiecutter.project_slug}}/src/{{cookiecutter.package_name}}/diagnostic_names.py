"""The names of Numerai's diagnostics figures, as data: `datasets/diagnostics.json`, dated, with its sources.

A spec's `gate:` is keyed by these names (validate suggests the closest for a misspelt one), and
`diagnostics` asks Numerai for exactly these figures. Numerai adds or renames a figure on its own
schedule: update the file (and its `checked` date) rather than the code.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from .errors import UsageError

FILE = "diagnostics.json"


@dataclass(frozen=True)
class DiagnosticNames:
    figures: tuple[str, ...]  # every figure a run reports, under Numerai's names
    headline: tuple[str, ...]  # the ones shown side by side
    per_era: tuple[str, ...]  # the per-era figures (perEraDiagnostics)
    checked: str
    sources: tuple[str, ...]


def names_file(datasets_folder: Path) -> Path:
    return Path(datasets_folder) / FILE


def home_datasets() -> Path:
    """The datasets folder of the repository this package belongs to (src/<package>/ inside it)."""
    return Path(__file__).resolve().parents[2] / "datasets"


def load_names(datasets_folder: Path | None = None) -> DiagnosticNames:
    """The names in `datasets_folder`'s file, or in this package's repository when it has none."""
    path = names_file(datasets_folder) if datasets_folder else names_file(home_datasets())
    if not path.is_file():
        path = names_file(home_datasets())
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
        return DiagnosticNames(
            figures=tuple(document["figures"]), headline=tuple(document["headline"]),
            per_era=tuple(document["per_era"]), checked=str(document["checked"]),
            sources=tuple(document["sources"]),
        )
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise UsageError(f"{path}: not a readable list of diagnostics names ({error}) ==> restore it from the "
                         "repository's datasets/diagnostics.json") from None
