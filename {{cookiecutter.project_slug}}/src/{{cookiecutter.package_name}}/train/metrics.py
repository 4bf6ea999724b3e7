"""Validation metrics, scored the way Numerai scores: per era, with Numerai's own `numerai-tools`.

CORR is `numerai_tools.scoring.numerai_corr` of the predictions with the target; MMC and BMC are
`correlation_contribution` against the meta model (`meta_model.parquet`) and against a benchmark
model (`validation_benchmark_models.parquet`). Each is summarised by its mean, standard deviation,
Sharpe (mean / std) and maximum drawdown of the cumulative per-era score.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from .scoring import correlation_contribution, numerai_corr

# Columns of the frame `per_era_scores` takes besides `prediction`, `target` and `era`.
META_MODEL = "meta_model"
BENCHMARK = "benchmark"
# Metric name -> the column the predictions are scored against (None: the target alone).
METRICS = {"corr": None, "mmc": META_MODEL, "bmc": BENCHMARK}
# Points kept of the cumulative per-era CORR (the summary's chart).
CURVE_POINTS = 50


def era_corr(era: pd.DataFrame) -> float:
    return float(numerai_corr(era[["prediction"]], era["target"]).iloc[0])


def era_contribution(era: pd.DataFrame, against: str) -> float:
    return float(correlation_contribution(era[["prediction"]], era[against], era["target"].copy()).iloc[0])


def per_era_scores(frame: pd.DataFrame) -> pd.DataFrame:
    """One row per era, one column per metric the frame has the inputs of (`corr` always; `mmc`
    when it has a `meta_model` column, `bmc` when it has a `benchmark` column). An era is scored
    on its rows with a target (and, for MMC and BMC, a value of the model scored against); an era
    without such rows is left out of that metric (NaN)."""
    scored = frame[frame["target"].notna()]
    rows = {}
    for era, rows_of_era in scored.groupby("era", sort=True):
        scores = {"corr": era_corr(rows_of_era) if len(rows_of_era) > 1 else np.nan}
        for name, against in METRICS.items():
            if against is None or against not in frame.columns:
                continue
            usable = rows_of_era[rows_of_era[against].notna()]
            scores[name] = era_contribution(usable, against) if len(usable) > 1 else np.nan
        rows[str(era)] = scores
    return pd.DataFrame.from_dict(rows, orient="index")


def drawdown(scores: pd.Series) -> float:
    """The largest fall of the cumulative score from its running peak (Numerai's max drawdown)."""
    cumulative = scores.cumsum()
    return float((cumulative.expanding(min_periods=1).max() - cumulative).max()) if len(scores) else 0.0


def rounded(value: float | None) -> float | None:
    return None if value is None or not np.isfinite(value) else round(float(value), 6)


def describe(scores: pd.Series) -> dict[str, Any]:
    """Mean, standard deviation, Sharpe and max drawdown of one metric's per-era scores."""
    scores = scores.dropna()
    mean, std = float(scores.mean()), float(scores.std(ddof=0))
    return {
        "eras": int(len(scores)),
        "mean": rounded(mean),
        "std": rounded(std),
        "sharpe": rounded(mean / std) if std > 0 else None,
        "max_drawdown": rounded(drawdown(scores)),
    }


def curve(scores: pd.Series, points: int = CURVE_POINTS) -> list[list[Any]]:
    """The cumulative per-era score as [era, value] pairs, at most `points` of them evenly spread
    over the eras (the first and the last always among them)."""
    cumulative = scores.dropna().sort_index().cumsum()
    if cumulative.empty:
        return []
    positions = np.unique(np.linspace(0, len(cumulative) - 1, min(points, len(cumulative))).round().astype(int))
    return [[str(cumulative.index[at]), round(float(cumulative.iloc[at]), 6)] for at in positions]


def summary(scores: pd.DataFrame, not_scored: dict[str, str] | None = None) -> dict[str, Any]:
    """The manifest's validation metrics from `per_era_scores`: `<metric>_mean`, `_std`, `_sharpe`,
    `_max_drawdown` and `_eras` for each metric scored, `eras`, the cumulative CORR `corr_curve`,
    and `not_scored`: {metric: why} for the metrics left out."""
    result: dict[str, Any] = {"eras": int(scores["corr"].notna().sum()) if "corr" in scores else 0}
    missing = dict(not_scored or {})
    for name in METRICS:
        if name not in scores or scores[name].notna().sum() == 0:
            missing.setdefault(name, "no era had what it needs")
            continue
        result.update({f"{name}_{key}": value for key, value in describe(scores[name]).items()})
    if "corr" in scores:
        result["corr_curve"] = curve(scores["corr"])
    result["not_scored"] = {name: missing[name] for name in METRICS if name in missing}
    return result
