"""`diagnostics` against the stand-in: Numerai's figures of the build's validation predictions, beside the
deployed pickle's, and the spec's gate (exit 1 naming each failure, 0 when every bound holds)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import pandas as pd
import pytest

from {{ cookiecutter.package_name }}.data.synthetic import Shape, write_dataset

from conftest import (
    ACCOUNT_SLOTS,
    CURRENT,
    LIGHTGBM_SPEC,
    PACKAGE,
    REPO_ROOT,
    STANDIN_PUBLIC_ID,
    STANDIN_SECRET_KEY,
    manifest_dict,
    write_spec,
)
from standin import NumeraiStandIn

VERSION = CURRENT.name
SHAPE = Shape.of(CURRENT, train_eras=40, validation_eras=12, rows_per_era=200, live_rows=300, features_all=20,
                 features_medium=16, features_small=12, meta_model=True)


@pytest.fixture(scope="module")
def real_build(tmp_path_factory):
    """The LightGBM spec built and checked once on a Numerai-shaped version served by a stand-in: (repo, served
    folder)."""
    base = tmp_path_factory.mktemp("diagnostics")
    write_dataset(base / "served" / VERSION, SHAPE)
    root = base / "repo"
    (root / "models").mkdir(parents=True)
    for folder in ("runtimes", "datasets"):
        shutil.copytree(REPO_ROOT / folder, root / folder)
    write_spec(root / "models", "gbm.yaml", LIGHTGBM_SPEC)
    with NumeraiStandIn(data_dir=base / "served") as standin:
        env = {**os.environ, "NUMERAI_API_URL": standin.url, "NUMERAI_DATA_DIR": str(base / "cache")}
        result = subprocess.run([sys.executable, "-m", PACKAGE, "build"], cwd=root,
                                capture_output=True, text=True, env=env, timeout=900)
    assert result.returncode == 0, result.stdout + result.stderr
    return root, base / "served"


@pytest.fixture
def numerai(real_build):
    """The stand-in (numerai_env and numerai_cli use it) serving the version the build trained on."""
    with NumeraiStandIn(models=ACCOUNT_SLOTS, public_id=STANDIN_PUBLIC_ID, secret_key=STANDIN_SECRET_KEY,
                        data_dir=real_build[1]) as standin:
        yield standin


@pytest.fixture
def repo(real_build, tmp_path):
    """A copy of the built repository, whose spec a test may give a gate (no rebuild: not in the fingerprint)."""
    copy = tmp_path / "repo"
    shutil.copytree(real_build[0], copy)
    return copy


def with_gate(root, gate: str) -> None:
    write_spec(root / "models", "gbm.yaml", LIGHTGBM_SPEC + "    gate:\n" + "".join(
        f"      {line}\n" for line in gate.strip().splitlines()))


def build_predictions(root) -> pd.DataFrame:
    [pickle] = (root / "dist").glob("gbm_model-*.pkl")
    return pd.read_parquet(pickle.with_suffix(".validation.parquet"))


def test_build_keeps_every_validation_prediction_it_scored(repo, real_build):
    [pickle] = (repo / "dist").glob("gbm_model-*.pkl")
    predictions = build_predictions(repo)
    validation = pd.read_parquet(real_build[1] / VERSION / "validation.parquet")
    assert sorted(predictions.index) == sorted(validation.index), "every validation id, once"
    assert list(predictions.columns) == ["prediction"]
    record = manifest_dict(pickle)["metrics"]["validation"]["predictions"]
    assert record["rows"] == len(validation) and record["file"] == pickle.with_suffix(".validation.parquet").name


def test_uploads_every_validation_id_once_and_prints_numerai_figures(repo, numerai, numerai_cli, real_build):
    result = numerai_cli("diagnostics", "--repo", repo, "--json")
    assert result.code == 0, result.out + result.err
    [uploaded] = numerai.diagnostics_uploads("gbm_model")
    validation = pd.read_parquet(real_build[1] / VERSION / "validation.parquet")
    assert sorted(uploaded["ids"]) == sorted(validation.index) and len(set(uploaded["ids"])) == len(uploaded["ids"])
    [slot] = json.loads(result.out)
    assert slot["diagnostics_id"] == uploaded["id"] and slot["figures"]["erasAcceptedCount"] == SHAPE.validation_eras
    local = manifest_dict(next((repo / "dist").glob("gbm_model-*.pkl")))["metrics"]["validation"]["corr_mean"]
    assert slot["figures"]["validationCorrMean"] != pytest.approx(local, abs=1e-9), "the stand-in's, not the build's"
    assert slot["deployed"] is None and "nothing is deployed" in slot["notes"][0]


def test_an_impossible_min_fails_naming_metric_value_and_bound(repo, numerai_cli):
    with_gate(repo, "validationCorrSharpe: {min: 50}\nvalidationFeatureCorrMax: {max: 0.99}")
    result = numerai_cli("diagnostics", "--repo", repo)
    assert result.code == 1, result.out + result.err
    assert "gate: FAIL" in result.out
    failed = [line for line in result.out.splitlines() if "failed: validationCorrSharpe" in line]
    assert failed and "< min 50" in failed[0], result.out
    assert "Traceback" not in result.err


def test_a_reachable_gate_passes(repo, numerai_cli):
    with_gate(repo, "validationCorrMean: {min: -1}\nvalidationFeatureCorrMax: {max: 1}")
    result = numerai_cli("diagnostics", "--repo", repo)
    assert result.code == 0, result.out + result.err
    assert "gate: pass" in result.out


def test_min_vs_deployed_compares_with_the_deployed_pickles_diagnostics(repo, numerai, numerai_cli):
    pickle_id = numerai.seed_pickle("gbm_model", "gbm_model-000000000000.pkl")
    better = build_predictions(repo).assign(prediction=lambda frame: frame["prediction"] * 0 + 0.5)
    better.iloc[::2, 0] = 0.1  # a different model: its figures differ from the candidate's
    numerai.seed_pickle_diagnostics(pickle_id, build_predictions(repo))  # the same predictions: equal figures
    with_gate(repo, "validationCorrSharpe: {min_vs_deployed: -0.05}")
    same = numerai_cli("diagnostics", "--repo", repo, "--json")
    assert same.code == 0, same.out + same.err
    [slot] = json.loads(same.out)
    assert slot["deployed"]["validationCorrSharpe"] == pytest.approx(slot["figures"]["validationCorrSharpe"])
    with_gate(repo, "validationCorrSharpe: {min_vs_deployed: 0.5}")
    higher = numerai_cli("diagnostics", "--repo", repo)
    assert higher.code == 1, higher.out
    assert "against the deployed pickle's" in higher.out and "min_vs_deployed 0.5" in higher.out


def test_nothing_deployed_skips_min_vs_deployed_with_a_note(repo, numerai_cli):
    with_gate(repo, "validationCorrSharpe: {min_vs_deployed: 0.5}")
    result = numerai_cli("diagnostics", "--repo", repo)
    assert result.code == 0, result.out
    assert "min_vs_deployed skipped: nothing deployed" in result.out


def test_failed_diagnostics_exit_1_with_numerais_message(repo, numerai, numerai_cli):
    numerai.diagnostics_fail("gbm_model", "Diagnostics failed: predictions must be between 0 and 1")
    result = numerai_cli("diagnostics", "--repo", repo)
    assert result.code == 1
    assert "predictions must be between 0 and 1" in result.out + result.err
    assert "Traceback" not in result.out + result.err


def test_pending_diagnostics_end_at_the_deadline(repo, numerai, numerai_cli, monkeypatch):
    monkeypatch.setenv("NUMERAI_DIAGNOSTICS_TIMEOUT", "0.3")
    numerai.diagnostics_never_end("gbm_model")
    result = numerai_cli("diagnostics", "--repo", repo)
    assert result.code == 1
    assert "still pending after 0.3 s" in result.out + result.err


def test_trained_on_val_reports_the_gate_without_failing(repo, numerai, numerai_cli):
    numerai.trained_on_val("gbm_model")
    with_gate(repo, "validationCorrSharpe: {min: 50}")
    result = numerai_cli("diagnostics", "--repo", repo)
    assert result.code == 0, result.out
    assert "in-sample" in result.out and "failed: validationCorrSharpe" in result.out


def test_a_synthetic_build_is_refused(make_repo, built, numerai_cli):
    root = make_repo({"gbm.yaml": LIGHTGBM_SPEC})
    (root / "dist").mkdir()
    for path in (built["gbm_model"], built["gbm_model"].with_suffix(".json")):
        shutil.copy2(path, root / "dist" / path.name)
    result = numerai_cli("diagnostics", "--repo", root)
    assert result.code == 2
    assert "synthetic data" in result.err and "Numerai scores only its own validation ids" in result.err


def test_deploy_uploads_nothing_for_a_failing_gate(repo, numerai, numerai_cli):
    with_gate(repo, "validationCorrSharpe: {min: 50}")
    result = numerai_cli("deploy", "--repo", repo)
    assert result.code == 1, result.out + result.err
    assert "fails the gate of models/gbm.yaml" in result.err and "< min 50" in result.err
    assert numerai.uploads("gbm_model") == [] and "createComputePickleUpload" not in numerai.operations()


def test_deploy_takes_the_verdict_diagnostics_recorded(repo, numerai, numerai_cli):
    with_gate(repo, "validationCorrSharpe: {min: 50}")
    assert numerai_cli("diagnostics", "--repo", repo).code == 1
    result = numerai_cli("deploy", "--repo", repo)
    assert result.code == 1 and ".diagnostics.json" in result.err, result.err
    assert len(numerai.diagnostics_uploads("gbm_model")) == 1, "no second diagnostics run"
    assert numerai.uploads("gbm_model") == []


def test_deploy_runs_diagnostics_itself_and_deploys_a_build_that_holds_its_gate(repo, numerai, numerai_cli):
    with_gate(repo, "validationCorrMean: {min: -1}")
    result = numerai_cli("deploy", "--repo", repo)
    assert result.code == 0, result.out + result.err
    assert len(numerai.diagnostics_uploads("gbm_model")) == 1 and len(numerai.uploads("gbm_model")) == 1


def test_skip_gate_deploys_and_the_record_carries_the_reason(repo, numerai, numerai_cli, tmp_path):
    with_gate(repo, "validationCorrSharpe: {min: 50}")
    record = tmp_path / "record.json"
    result = numerai_cli("deploy", "--repo", repo, "--skip-gate", "hotfix agreed in #42", "--record", record)
    assert result.code == 0, result.out + result.err
    [entry] = json.loads(record.read_text())["deployments"]
    assert entry["gate"] == "skipped: hotfix agreed in #42" and entry["action"] == "deployed"
    assert numerai.diagnostics_uploads("gbm_model") == []


def test_a_candidate_identical_to_the_deployed_pickle_is_labelled_unchanged(repo, numerai, numerai_cli):
    assert numerai_cli("deploy", "--repo", repo).code == 0  # the very build, assigned on the slot
    result = numerai_cli("diagnostics", "--repo", repo, "--compare-live", "--json")
    assert result.code == 0, result.out + result.err
    [slot] = json.loads(result.out)
    assert slot["change"]["label"] == "unchanged", slot
    assert slot["change"]["rank_correlation"] == pytest.approx(1.0) and slot["change"]["moved_share"] == 0.0
    assert "computePickleDownloadAuth" in numerai.operations()
