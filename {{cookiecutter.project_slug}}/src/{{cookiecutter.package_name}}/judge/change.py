"""What changed in the predictions: the candidate's live predictions against those of the pickle deployed
now, on the same live data. Pure: two series of predictions (indexed by id) in, the figures and a label out."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

UNCHANGED, MINOR, NEW_MODEL = "unchanged", "minor", "new model"
MINOR_RANK_CORRELATION = 0.99  # at least this rank correlation: a minor change
MOVED = 0.05  # a rank moved when its percentile changed by more than this


@dataclass(frozen=True)
class Change:
    rows: int
    pearson: float
    rank_correlation: float
    moved_share: float  # of the ids whose rank moved more than MOVED
    label: str

    def __str__(self) -> str:
        return (f"{self.label} (Pearson {self.pearson:.4f}, rank correlation {self.rank_correlation:.4f}, "
                f"{self.moved_share:.1%} of {self.rows:,} ids moved more than {MOVED:.0%} in rank)")

    def to_json(self) -> dict[str, Any]:
        return {"rows": self.rows, "pearson": self.pearson, "rank_correlation": self.rank_correlation,
                "moved_share": self.moved_share, "label": self.label, "text": str(self)}


def correlation(left: np.ndarray[Any, Any], right: np.ndarray[Any, Any]) -> float:
    if len(left) < 2 or np.std(left) == 0 or np.std(right) == 0:
        return 1.0 if np.array_equal(left, right) else 0.0
    return float(np.corrcoef(left, right)[0, 1])


def compare(candidate: pd.Series, deployed: pd.Series) -> Change:
    """The change from `deployed` to `candidate` over the ids both predicted."""
    both = pd.concat([candidate.rename("candidate"), deployed.rename("deployed")], axis=1, join="inner").dropna()
    ours, theirs = both["candidate"].to_numpy(dtype=float), both["deployed"].to_numpy(dtype=float)
    ranks = both.rank(pct=True)
    moved = float((ranks["candidate"] - ranks["deployed"]).abs().gt(MOVED).mean()) if len(both) else 0.0
    rank_correlation = correlation(ranks["candidate"].to_numpy(), ranks["deployed"].to_numpy())
    if len(both) and np.allclose(ours, theirs, rtol=0.0, atol=1e-9):
        label = UNCHANGED
    elif rank_correlation >= MINOR_RANK_CORRELATION:
        label = MINOR
    else:
        label = NEW_MODEL
    return Change(len(both), correlation(ours, theirs), rank_correlation, moved, label)
