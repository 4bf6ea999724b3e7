"""build scores validation as Numerai does: CORR, MMC and BMC from numerai-tools, in the manifest and the summary."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from numerai_tools.scoring import correlation_contribution, numerai_corr

from {{ cookiecutter.package_name }}.artifact.builder import scoring_references
from {{ cookiecutter.package_name }}.data.synthetic import Shape, write_dataset

from conftest import CURRENT, LIGHTGBM_SPEC, manifest_dict
from pickle_runtime import load_and_predict
from standin import NumeraiStandIn

VERSION = CURRENT.name  # the specs' default: the version datasets/ marks current
TARGET = CURRENT.payout_target  # LIGHTGBM_SPEC names none: the version's payout target
# The version's names, small: every file of it, meta_model.parquet included, served by the stand-in.
SHAPE = Shape.of(CURRENT, train_eras=40, validation_eras=12, rows_per_era=200, live_rows=300, features_all=20,
                 features_medium=16, features_small=12, meta_model=True)


@pytest.fixture
def numerai_data(tmp_path):
    """A stand-in serving a dataset version with the meta model and benchmark models."""
    served = write_dataset(tmp_path / "served" / VERSION, SHAPE)
    with NumeraiStandIn(data_dir=tmp_path / "served") as standin:
        yield standin, served


def numerai_tools_scores(pickle_path, served, scratch, benchmark_column: str) -> dict[str, pd.Series]:
    """The pickle's validation predictions (made in its own runtime) scored per era by numerai-tools
    itself, independently of the build."""
    validation = pd.read_parquet(served / "validation.parquet")
    load_and_predict(pickle_path, served / "validation.parquet", served / "validation_benchmark_models.parquet",
                     scratch / "predictions.parquet")
    predictions = pd.read_parquet(scratch / "predictions.parquet")
    meta = pd.read_parquet(served / "meta_model.parquet")["numerai_meta_model"]
    benchmark = pd.read_parquet(served / "validation_benchmark_models.parquet")[benchmark_column]
    frame = validation[["era", TARGET]].join(predictions).join(meta).join(benchmark).dropna(subset=[TARGET])
    corr, mmc, bmc = {}, {}, {}
    for era, group in frame.groupby("era"):
        corr[era] = numerai_corr(group[["prediction"]], group[TARGET]).iloc[0]
        bmc[era] = correlation_contribution(group[["prediction"]], group[benchmark_column], group[TARGET]).iloc[0]
        covered = group.dropna(subset=["numerai_meta_model"])
        if len(covered):
            mmc[era] = correlation_contribution(covered[["prediction"]], covered["numerai_meta_model"],
                                                covered[TARGET]).iloc[0]
    return {"corr": pd.Series(corr), "mmc": pd.Series(mmc), "bmc": pd.Series(bmc)}


def test_a_numerai_shaped_version_gets_corr_mmc_and_bmc_equal_to_numerai_tools(numerai_data, make_repo, cli,
                                                                                tmp_path):
    standin, served = numerai_data
    root = make_repo({"gbm.yaml": LIGHTGBM_SPEC})
    env = {"NUMERAI_API_URL": standin.url, "NUMERAI_DATA_DIR": str(tmp_path / "cache")}
    result = cli("build", "--no-check", cwd=root, env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"{VERSION}/meta_model.parquet" in standin.file_gets
    [pickle_path] = (root / "dist").glob("gbm_model-*.pkl")
    validation = manifest_dict(pickle_path)["metrics"]["validation"]

    benchmark = validation["bmc_benchmark"]
    assert benchmark in CURRENT.benchmark_columns
    expected = numerai_tools_scores(pickle_path, served, tmp_path, benchmark)
    for name, scores in expected.items():
        assert validation[f"{name}_eras"] == len(scores)
        assert validation[f"{name}_mean"] == pytest.approx(scores.mean(), abs=1e-6), name
        assert validation[f"{name}_std"] == pytest.approx(scores.std(ddof=0), abs=1e-6), name
        cumulative = scores.cumsum()
        assert validation[f"{name}_max_drawdown"] == pytest.approx((cumulative.cummax() - cumulative).max(), abs=1e-6)
    assert validation["mmc_eras"] == SHAPE.validation_eras // 2, "the meta model covers the later eras only"
    assert validation["not_scored"] == {}
    curve = validation["corr_curve"]
    assert curve[-1][1] == pytest.approx(expected["corr"].sum(), abs=1e-4)

    summary = cli("summary", "--artifacts", str(root / "dist"), cwd=root)
    assert summary.returncode == 0, summary.stderr
    for label in ("CORR", "MMC", f"BMC (against {benchmark})"):
        row = next(line for line in summary.stdout.splitlines() if line.startswith(f"| {label} |"))
        assert f"{validation[label.split()[0].lower() + '_mean']:.4f}" in row
    assert "xychart-beta" in summary.stdout


def test_a_version_without_the_meta_model_goes_without_mmc_and_says_so(tmp_path):
    small = Shape(train_eras=4, validation_eras=4, rows_per_era=50, live_rows=20, features_all=8,
                  features_medium=8, features_small=8)
    references, missing = scoring_references(write_dataset(tmp_path / "plain", small), "target")
    assert set(references) == {"benchmark"} and "meta_model.parquet" in missing["mmc"]


def test_the_meta_model_file_is_opt_in_and_leaves_the_other_files_as_they_were(tmp_path):
    small = {"train_eras": 4, "validation_eras": 4, "rows_per_era": 50, "live_rows": 20, "features_all": 8,
             "features_medium": 8, "features_small": 8}
    plain = write_dataset(tmp_path / "plain", Shape(**small))
    with_meta = write_dataset(tmp_path / "meta", Shape(**small, meta_model=True))
    assert not (plain / "meta_model.parquet").exists()
    meta = pd.read_parquet(with_meta / "meta_model.parquet")
    assert meta.index.name == "id" and {"era", "numerai_meta_model"} <= set(meta.columns)
    assert sorted(meta["era"].unique()) == ["0007", "0008"]
    validation = pd.read_parquet(with_meta / "validation.parquet")
    assert meta.index.isin(validation.index).all()
    assert np.allclose(meta["numerai_meta_model"].between(0, 1), True)
    for name in ("train.parquet", "validation.parquet", "validation_benchmark_models.parquet"):
        pd.testing.assert_frame_equal(pd.read_parquet(plain / name), pd.read_parquet(with_meta / name))
    assert json.loads((plain / "features.json").read_text()) == json.loads((with_meta / "features.json").read_text())
