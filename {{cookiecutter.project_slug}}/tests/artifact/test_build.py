"""build: the pickle loads and predicts where this repo's package is not importable."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import CURRENT, FIXTURE_SPECS, LIGHTGBM_SPEC, OTHER_TARGET, PACKAGE, manifest_dict
from pickle_runtime import load_and_predict

SLOTS = ("gbm_model", "ensemble_model", "custom_model")


def assert_loads_and_predicts_without_the_package(pickle_path: Path, synthetic_dir: Path) -> None:
    report = load_and_predict(pickle_path, synthetic_dir / "live.parquet",
                              synthetic_dir / "live_benchmark_models.parquet")
    assert report == {**report, "parameters": 2, "type": "DataFrame", "columns": ["prediction"],
                      "same_index": True, "nan": 0, "package_loaded": False}
    assert 0 < report["min"] and report["max"] == 1.0


@pytest.mark.parametrize("slot", SLOTS)
def test_pickle_loads_and_predicts_without_the_package(built, synthetic_dir, slot):
    assert_loads_and_predicts_without_the_package(built[slot], synthetic_dir)


def test_the_fixture_specs_build_and_load_without_the_package(make_repo, cli, synthetic_dir):
    shipped = sorted(FIXTURE_SPECS.glob("*.yaml"))
    root = make_repo({path.name: path.read_text() for path in shipped})
    result = cli("build", "--synthetic", "--no-check", cwd=root)
    assert result.returncode == 0, result.stdout + result.stderr
    pickles = sorted((root / "dist").glob("*.pkl"))
    assert len(pickles) == len(shipped)
    for pickle_path in pickles:
        assert_loads_and_predicts_without_the_package(pickle_path, synthetic_dir)


@pytest.mark.parametrize("slot", SLOTS)
def test_manifest_describes_the_pickle(built, slot):
    pickle_path = built[slot]
    manifest = manifest_dict(pickle_path)
    assert pickle_path.name == f"{slot}-{manifest['fingerprint']}.pkl"
    assert manifest["slot"] == slot
    # Built in the image's Python, whichever Python runs the CLI.
    assert manifest["python"]["minor"] == manifest["runtime"]["python"] == "3.12"
    assert manifest["runtime"]["image"].endswith("py_3_12")
    assert {"numpy", "pandas", "cloudpickle"} <= set(manifest["libraries"])
    assert manifest["data"]["synthetic"] is True
    assert len(manifest["data"]["stamp"]) == 8
    assert manifest["features"] and all(name.startswith("feature_") for name in manifest["features"])
    assert PACKAGE not in manifest["modules"], "the package must travel by value, not by reference"
    validation = manifest["metrics"]["validation"]
    assert validation["eras"] > 0
    assert validation["corr_mean"] > 0, "the synthetic data carries signal a model should find"
    assert manifest["pickle"]["bytes"] == pickle_path.stat().st_size


def test_manifest_lists_each_model_library(built):
    assert "lightgbm" in manifest_dict(built["gbm_model"])["libraries"]
    assert "scikit-learn" in manifest_dict(built["ensemble_model"])["libraries"]
    assert manifest_dict(built["ensemble_model"])["benchmark_inputs"] == [CURRENT.benchmark_columns[0]]
    assert OTHER_TARGET in manifest_dict(built["ensemble_model"])["targets"]


def test_a_spec_naming_no_version_or_target_trains_on_the_current_version_and_its_payout_target(built):
    manifest = manifest_dict(built["gbm_model"])
    assert manifest["data"]["version"] == CURRENT.name and manifest["targets"] == [CURRENT.payout_target]
    validation = manifest["metrics"]["validation"]
    assert validation["not_scored"] == {} and validation["mmc_eras"] > 0, "the version's meta model scores MMC"
    # BMC against the version's benchmark model trained on the payout target (target_x_20 -> ..._x20).
    short = CURRENT.payout_target.removeprefix("target_").replace("_", "")
    assert validation["bmc_benchmark"] in CURRENT.benchmark_columns and validation["bmc_benchmark"].endswith(short)


def test_same_spec_same_fingerprint_changed_spec_new_fingerprint(make_repo, cli):
    root = make_repo({"gbm.yaml": LIGHTGBM_SPEC})
    first = json.loads(cli("plan", "--synthetic", cwd=root).stdout)["include"][0]["fingerprint"]
    again = json.loads(cli("plan", "--synthetic", cwd=root).stdout)["include"][0]["fingerprint"]
    (root / "models" / "gbm.yaml").write_text(
        (root / "models" / "gbm.yaml").read_text().replace("n_estimators: 40", "n_estimators: 41"))
    changed = json.loads(cli("plan", "--synthetic", cwd=root).stdout)["include"][0]["fingerprint"]
    assert first == again != changed


def test_build_of_an_unknown_slot_lists_the_known_ones(make_repo, cli):
    root = make_repo({"gbm.yaml": LIGHTGBM_SPEC})
    result = cli("build", "--synthetic", "--no-check", "no_such_slot", cwd=root)
    assert result.returncode == 2
    assert "no_such_slot" in result.stderr and "gbm_model" in result.stderr
    assert "Traceback" not in result.stderr


def feature_sum(inputs):
    return inputs.sum(axis=1)


def test_validation_is_scored_era_slice_by_slice_with_the_same_result(synthetic_dir, tmp_path, monkeypatch):
    from {{ cookiecutter.package_name }}.artifact import builder
    from {{ cookiecutter.package_name }}.modelspec.load import load_spec

    from conftest import write_spec

    loaded = load_spec(write_spec(tmp_path, "spec.yaml", LIGHTGBM_SPEC))
    features = json.loads((synthetic_dir / "features.json").read_text())["feature_sets"]["small"]
    bundle = {"features": features, "benchmark_inputs": [], "rank_per_era": True,
              "model": {"kind": "estimator", "estimator": feature_sum}}
    monkeypatch.setattr(builder, "VALIDATION_ERAS_PER_PASS", 10_000)
    whole = builder.validation_metrics(synthetic_dir, loaded, bundle, features)
    monkeypatch.setattr(builder, "VALIDATION_ERAS_PER_PASS", 3)
    sliced = builder.validation_metrics(synthetic_dir, loaded, bundle, features)
    assert whole == sliced and whole["eras"] > 3


def test_including_validation_eras_trains_on_more_data_with_a_new_stamp(built, make_repo, cli):
    root = make_repo({"gbm.yaml": LIGHTGBM_SPEC.replace("era_step: 2}", "era_step: 2, include_validation: true}")})
    result = cli("build", "--synthetic", "--no-check", cwd=root)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "validation eras included" in result.stdout
    [pickle_path] = (root / "dist").glob("gbm_model-*.pkl")
    plain, widened = manifest_dict(built["gbm_model"]), manifest_dict(pickle_path)
    assert widened["training"]["eras"] > plain["training"]["eras"]
    assert widened["training"]["rows"] > plain["training"]["rows"]
    assert widened["data"]["stamp"] != plain["data"]["stamp"]
    assert widened["metrics"]["validation"]["in_sample"] is True
    assert plain["metrics"]["validation"]["in_sample"] is False


def test_build_refuses_a_benchmark_column_the_data_lacks_before_training(make_repo, cli):
    # (plain concatenation: this file is a template, where doubled braces would be Jinja)
    spec = LIGHTGBM_SPEC + "    predict: {benchmark_inputs: [" + CURRENT.benchmark_columns[0] + "x]}\n"
    root = make_repo({"gbm.yaml": spec})
    result = cli("build", "--synthetic", "--no-check", cwd=root)
    assert result.returncode == 2, result.stdout + result.stderr
    assert "At key predict.benchmark_inputs.0" in result.stderr and "train_benchmark_models.parquet" in result.stderr
    assert f"did you mean {CURRENT.benchmark_columns[0]!r}" in result.stderr and "Traceback" not in result.stderr
    assert not (root / "dist").exists()
