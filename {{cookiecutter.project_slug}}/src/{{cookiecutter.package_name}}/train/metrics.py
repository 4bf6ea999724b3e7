"""Validation metrics: Numerai's per-era correlation, its mean, spread and Sharpe."""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.stats import norm


def numerai_corr(predictions: np.ndarray, target: np.ndarray) -> float:
    """Numerai's CORR: gaussianised ranks and centred target, both raised to 1.5, correlated."""
    ranked = (pd.Series(predictions).rank(method="average").to_numpy() - 0.5) / len(predictions)
    gaussian = norm.ppf(ranked)
    powered_predictions = np.sign(gaussian) * np.abs(gaussian) ** 1.5
    centred = target - target.mean()
    powered_target = np.sign(centred) * np.abs(centred) ** 1.5
    if powered_predictions.std() == 0 or powered_target.std() == 0:
        return 0.0
    return float(np.corrcoef(powered_predictions, powered_target)[0, 1])


def per_era_scores(predictions: np.ndarray, target: np.ndarray, eras: np.ndarray) -> pd.Series:
    frame = pd.DataFrame({"prediction": predictions, "target": target, "era": eras}).dropna()
    return frame.groupby("era").apply(
        lambda era: numerai_corr(era["prediction"].to_numpy(), era["target"].to_numpy()),
        include_groups=False,
    )


def summary(scores: pd.Series) -> dict:
    mean, std = float(scores.mean()), float(scores.std(ddof=0))
    cumulative = scores.cumsum()
    drawdown = float((cumulative.cummax() - cumulative).max()) if len(scores) else 0.0
    return {
        "eras": int(len(scores)),
        "corr_mean": round(mean, 6),
        "corr_std": round(std, 6),
        "corr_sharpe": round(mean / std, 6) if std > 0 else None,
        "max_drawdown": round(drawdown, 6),
    }
