"""Numerai's scoring functions: numerai-tools' own, or on Python 3.10 a faithful port of them.

numerai-tools is installed from Python 3.11 (on 3.10 the image's release pulls in torch, and every
later one needs numpy 2). The port follows numerai-tools 0.4's `numerai_corr` and
`correlation_contribution` step by step, without the `top_bottom` option the metrics never use;
tests/train/test_metrics.py compares the two where both are installed.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from scipy import stats


def aligned(first: Any, second: Any) -> tuple[Any, Any]:
    """Both on the ids they share (no missing values), sorted: numerai-tools' filter_sort_index."""
    ids = first.dropna().index.intersection(second.dropna().index)
    return first.loc[ids].sort_index(), second.loc[ids].sort_index()

def gaussian_ranks(frame: pd.DataFrame) -> pd.DataFrame:
    """Tie-kept percentile ranks centred in (0, 1), through the normal distribution's inverse."""
    ranked = frame.apply(lambda series: (series.rank(method="average").to_numpy() - 0.5) / series.count())
    return ranked.apply(lambda series: stats.norm.ppf(series))

def power(frame: Any, exponent: float) -> Any:
    return np.sign(frame) * np.abs(frame) ** exponent

def port_numerai_corr(predictions: pd.DataFrame, targets: pd.Series) -> pd.Series:
    targets = targets - targets.mean()
    targets, predictions = aligned(targets, predictions)
    predictions = power(gaussian_ranks(predictions), 1.5)
    targets = power(targets, 1.5)
    return predictions.apply(lambda column: targets.corr(column, method="pearson"))

def port_correlation_contribution(predictions: pd.DataFrame, meta_model: pd.Series,
                                  live_targets: pd.Series) -> pd.Series:
    meta_model, predictions = aligned(meta_model, predictions)
    live_targets, predictions = aligned(live_targets, predictions)
    live_targets, meta_model = aligned(live_targets, meta_model)
    p = gaussian_ranks(predictions).to_numpy()
    m = gaussian_ranks(meta_model.to_frame()).iloc[:, 0].to_numpy()
    neutral = p - np.outer(m, (p.T @ m) / (m.T @ m))
    if (live_targets >= 0).all() and (live_targets <= 1).all():
        live_targets = live_targets * 4
    live_targets = live_targets - live_targets.mean()
    return pd.Series((live_targets.to_numpy() @ neutral) / len(live_targets), index=predictions.columns)


try:
    from numerai_tools.scoring import correlation_contribution, numerai_corr

    SOURCE = "numerai-tools"
except ImportError:  # Python 3.10
    numerai_corr, correlation_contribution = port_numerai_corr, port_correlation_contribution  # type: ignore[assignment,unused-ignore]
    SOURCE = "a port of numerai-tools 0.4"

__all__ = ["SOURCE", "correlation_contribution", "numerai_corr", "port_correlation_contribution",
           "port_numerai_corr"]
