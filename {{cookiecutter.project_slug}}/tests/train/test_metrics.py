"""Validation metrics are Numerai's: numerai-tools' CORR and contributions per era, and their summary."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from numerai_tools.scoring import correlation_contribution, numerai_corr

from {{ cookiecutter.package_name }}.train import metrics


def scored_frame(eras: int = 12, rows: int = 200, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    signal = rng.normal(size=eras * rows)
    target = pd.Series(signal + rng.normal(0, 2, eras * rows)).rank(pct=True).to_numpy()
    frame = pd.DataFrame({
        "prediction": signal + rng.normal(0, 1, eras * rows),
        "target": np.floor(target * 4.999) / 4,
        "era": np.repeat([f"{era:04d}" for era in range(1, eras + 1)], rows),
        "meta_model": signal + rng.normal(0, 1.5, eras * rows),
        "benchmark": signal + rng.normal(0, 1.2, eras * rows),
    }, index=pd.Index([f"n{row:06d}" for row in range(eras * rows)], name="id"))
    frame.loc[frame.index[::17], "target"] = np.nan  # targets have gaps
    frame.loc[frame["era"] < "0004", "meta_model"] = np.nan  # the meta model covers later eras only
    return frame


def reference_scores(frame: pd.DataFrame) -> pd.DataFrame:
    """numerai-tools called directly, era by era, the way Numerai's own notebooks call it."""
    rows = {}
    for era, group in frame.dropna(subset=["target"]).groupby("era"):
        with_meta = group.dropna(subset=["meta_model"])
        rows[era] = {
            "corr": numerai_corr(group[["prediction"]], group["target"]).iloc[0],
            "mmc": (correlation_contribution(with_meta[["prediction"]], with_meta["meta_model"],
                                             with_meta["target"]).iloc[0] if len(with_meta) else np.nan),
            "bmc": correlation_contribution(group[["prediction"]], group["benchmark"], group["target"]).iloc[0],
        }
    return pd.DataFrame.from_dict(rows, orient="index")


def test_per_era_scores_are_numerai_tools_own():
    frame = scored_frame()
    scores = metrics.per_era_scores(frame)
    expected = reference_scores(frame)
    pd.testing.assert_frame_equal(scores[["corr", "mmc", "bmc"]], expected[["corr", "mmc", "bmc"]],
                                  check_names=False, rtol=1e-12, atol=1e-12)
    assert scores["mmc"].isna().sum() == 3 and scores["corr"].notna().all()


def test_summary_has_mean_std_sharpe_and_drawdown_for_each_metric():
    scores = metrics.per_era_scores(scored_frame())
    summary = metrics.summary(scores)
    for name in ("corr", "mmc", "bmc"):
        series = scores[name].dropna()
        cumulative = series.cumsum()
        assert summary[f"{name}_eras"] == len(series)
        assert summary[f"{name}_mean"] == pytest.approx(series.mean(), abs=1e-6)
        assert summary[f"{name}_std"] == pytest.approx(series.std(ddof=0), abs=1e-6)
        assert summary[f"{name}_sharpe"] == pytest.approx(series.mean() / series.std(ddof=0), abs=1e-5)
        assert summary[f"{name}_max_drawdown"] == pytest.approx((cumulative.cummax() - cumulative).max(), abs=1e-6)
    assert summary["eras"] == 12 and summary["not_scored"] == {}


def test_metrics_without_their_reference_are_left_out_and_said_so():
    frame = scored_frame().drop(columns=["meta_model", "benchmark"])
    summary = metrics.summary(metrics.per_era_scores(frame), {"mmc": "no meta_model.parquet"})
    assert "corr_mean" in summary and "mmc_mean" not in summary and "bmc_mean" not in summary
    assert summary["not_scored"]["mmc"] == "no meta_model.parquet"
    assert "bmc" in summary["not_scored"]


def test_the_cumulative_curve_keeps_at_most_fifty_points_first_and_last_included():
    scores = pd.Series(np.full(400, 0.01), index=[f"{era:04d}" for era in range(1, 401)])
    curve = metrics.curve(scores)
    assert len(curve) <= 50
    assert curve[0] == ["0001", 0.01] and curve[-1] == ["0400", pytest.approx(4.0)]
    assert [era for era, _ in curve] == sorted(era for era, _ in curve)
    assert metrics.curve(scores.iloc[:7]) == [[f"{era:04d}", pytest.approx(0.01 * era)] for era in range(1, 8)]


def test_the_python_3_10_port_scores_as_numerai_tools_does():
    from {{ cookiecutter.package_name }}.train.scoring import port_correlation_contribution, port_numerai_corr

    rng = np.random.default_rng(7)
    index = pd.Index([f"id{i:04d}" for i in rng.permutation(400)], name="id")
    predictions = pd.DataFrame({"prediction": rng.random(400)}, index=index)
    target = pd.Series(rng.choice([0, 0.25, 0.5, 0.75, 1.0], 400), index=index, name="target")
    meta = pd.Series(rng.random(400), index=index, name="meta_model")
    assert port_numerai_corr(predictions, target).iloc[0] == pytest.approx(
        numerai_corr(predictions, target).iloc[0], abs=1e-12)
    assert port_correlation_contribution(predictions, meta, target.copy()).iloc[0] == pytest.approx(
        correlation_contribution(predictions, meta, target.copy()).iloc[0], abs=1e-12)
