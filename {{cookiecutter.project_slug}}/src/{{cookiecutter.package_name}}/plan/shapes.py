"""The shape of a dataset version's training data, for the capacity plan: rows, eras, feature set sizes.

Numerai's facts about a version live in `datasets/<version>.json` (read by `datasets.py`); this is the
part of them a build's size depends on.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..datasets import load_version
from ..errors import UsageError
from ..repo import Repo


@dataclass(frozen=True)
class DatasetShape:
    version: str
    train_rows: int
    train_eras: int
    validation_rows: int | None  # unknown for a version whose file does not say
    feature_sets: dict[str, int]
    source: str  # where the figures come from, for messages: datasets/v5.3.json (checked ...)

    @property
    def all_features(self) -> int:
        return self.feature_sets.get("all") or max(self.feature_sets.values())

    @property
    def rows_per_era(self) -> float:
        return self.train_rows / max(self.train_eras, 1)


def dataset_shape(repo: Repo, version: str) -> DatasetShape | None:
    """The shape of `version` from the repository's datasets/; None without a readable file for it (that
    version's builds are then not estimated; `validate` reports the file itself)."""
    try:
        found = load_version(repo, version)
    except UsageError:
        return None
    return DatasetShape(version, found.train_rows, found.train_eras, found.validation_rows, dict(found.feature_sets),
                        found.described)
