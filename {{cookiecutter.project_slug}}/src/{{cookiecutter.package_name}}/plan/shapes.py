"""The shape of a dataset version's training data: rows, eras and feature set sizes.

Numerai's facts about a version live in `datasets/<version>.json` (feature set sizes, train rows and
eras, validation rows; dated, with sources). `dataset_shape` is the one reader of them here.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

DATASETS_FOLDER = "datasets"


@dataclass(frozen=True)
class DatasetShape:
    version: str
    train_rows: int
    train_eras: int
    validation_rows: int | None  # unknown for a version whose file does not say
    feature_sets: dict[str, int]
    source: str  # where the figures come from, for messages: datasets/v5.3.json

    @property
    def all_features(self) -> int:
        return self.feature_sets.get("all") or max(self.feature_sets.values())

    @property
    def rows_per_era(self) -> float:
        return self.train_rows / max(self.train_eras, 1)


def dataset_shape(root: Path, version: str) -> DatasetShape | None:
    """The shape of `version` from `<root>/datasets/<version>.json`; None when there is no such file or it
    lacks the figures (that version's builds are then not estimated)."""
    path = Path(root) / DATASETS_FOLDER / f"{version}.json"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        train, validation = data["train"], data.get("validation") or {}
        sets = {str(name): int(size) for name, size in data["feature_sets"].items()}
        rows, eras = int(train["rows"]), int(train["last_era"]) - int(train["first_era"]) + 1
        validation_rows = validation.get("rows")
        shape = DatasetShape(version, rows, eras, int(validation_rows) if validation_rows else None, sets,
                             f"{DATASETS_FOLDER}/{path.name}")
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None
    return shape if shape.train_rows > 0 and shape.train_eras > 0 and sets else None
