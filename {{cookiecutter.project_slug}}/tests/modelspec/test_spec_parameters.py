"""Model parameters are checked against each library's own rules before any training: LightGBM's
documented constraints (types and ranges, under any of its aliases) and a scikit-learn estimator's
own `_parameter_constraints`. A mistake is bad input (exit 2) naming file, line and key, never a
crash inside the library reported as a bug (exit 3)."""

from __future__ import annotations

import pytest

from {{ cookiecutter.package_name }}.kinds.checks import check_parameters
from {{ cookiecutter.package_name }}.main import main
from {{ cookiecutter.package_name }}.modelspec import SpecError
from {{ cookiecutter.package_name }}.modelspec.load import load_spec

from conftest import write_spec


def problems_of(tmp_path, model: str) -> str:
    path = write_spec(tmp_path, "params.yaml", "slot: a\nmodel:\n" + model)
    with pytest.raises(SpecError) as caught:
        check_parameters([load_spec(path)])
    return str(caught.value)


@pytest.mark.parametrize(("params", "key", "expected"), [
    ("n_estimators: -5", "n_estimators", "at least 1"),
    ("n_estimators: 0", "n_estimators", "at least 1"),
    ("num_boost_round: 2.5", "num_boost_round", "a whole number"),
    ("learning_rate: -0.1", "learning_rate", "greater than 0"),
    ("learning_rate: fast", "learning_rate", "a number greater than 0, got 'fast'"),
    ("eta: true", "eta", "got True"),
    ("num_leaves: 1", "num_leaves", "greater than 1"),
    ("num_leaves: 200000", "num_leaves", "at most 131072"),
    ("colsample_bytree: 1.5", "colsample_bytree", "at most 1"),
    ("subsample: 0", "subsample", "greater than 0"),
    ("reg_lambda: -1", "reg_lambda", "at least 0"),
    ("max_bin: 1", "max_bin", "greater than 1"),
    ("objective: binary", "objective", "'regression'"),
    ("boosting_type: fast", "boosting_type", "'gbdt'"),
    ("extra_trees: 'yes'", "extra_trees", "true or false"),
    ("n_estimators: 1000000000000000000000000000000", "n_estimators", "at most 100000 (more trees"),
    ("num_iterations: 100001", "num_iterations", "at most 100000"),
    ("num_threads: 100000", "num_threads", "at most 1024"),
    ("max_depth: 9999999999", "max_depth", "at most 2147483647"),
    ("max_bin: 4294967296", "max_bin", "at most 2147483647"),
])
def test_lightgbm_parameters_follow_lightgbms_documented_constraints(tmp_path, params, key, expected):
    message = problems_of(tmp_path, f"  type: lightgbm\n  params:\n    {params}\n")
    assert f"line 5 ==> At key model.params.{key} ==> expected" in message and "LightGBM" in message, message
    assert expected in message, message


@pytest.mark.parametrize("count", ["1e30", "1000000000000000000000000000000"])
def test_a_tree_count_of_1e30_is_refused_at_validate_naming_line_key_and_bound(make_repo, cli, count):
    root = make_repo({"huge.yaml": f"slot: a\nmodel:\n  type: lightgbm\n  params:\n    n_estimators: {count}\n"})
    result = cli("validate", cwd=root, timeout=120)
    assert result.returncode == 2, result.stdout + result.stderr
    assert "models/huge.yaml, line 5 ==> At key model.params.n_estimators ==> expected a whole number at least 1 " \
           "and at most 100000" in result.stderr, result.stderr
    assert "Traceback" not in result.stderr


def test_every_bad_parameter_is_reported_not_the_first(tmp_path):
    message = problems_of(tmp_path, "  type: lightgbm\n  params: {num_leaves: 1, learning_rate: 0, n_estimators: 0}\n")
    assert len(message.splitlines()) == 3, message


def test_sensible_lightgbm_parameters_pass(tmp_path):
    path = write_spec(tmp_path, "ok.yaml", """
        slot: ok
        model:
          type: lightgbm
          params: {n_estimators: 2000, learning_rate: 0.01, num_leaves: 31, max_depth: -1, colsample_bytree: 0.1,
                   subsample: 1.0, bagging_freq: 0, min_child_samples: 20, reg_lambda: 0, max_bin: 5,
                   objective: regression, boosting_type: gbdt, seed: 7, n_jobs: 1, verbose: -1, extra_trees: false,
                   min_data_in_leaf: 1000, lambda_l2: 1, feature_fraction: 1}
    """)
    check_parameters([load_spec(path)])


@pytest.mark.parametrize(("estimator", "params", "key", "expected"), [
    ("sklearn.linear_model.Ridge", "alpha: -1", "alpha", "alpha"),
    ("sklearn.linear_model.Ridge", "solver: fastest", "solver", "solver"),
    ("sklearn.ensemble.RandomForestRegressor", "n_estimators: 0", "n_estimators", "n_estimators"),
    ("lightgbm.LGBMRegressor", "num_leaves: 1", "num_leaves", "greater than 1"),
    ("sklearn.linear_model.Ridge", "max_iter: 1000000000000", "max_iter", "at most 100000 (more solver iterations"),
    ("sklearn.ensemble.RandomForestRegressor", "n_estimators: 10000000", "n_estimators", "at most 100000"),
    ("lightgbm.LGBMRegressor", "n_estimators: 10000000", "n_estimators", "at most 100000"),
])
def test_estimator_parameters_follow_the_estimators_own_constraints(tmp_path, estimator, params, key, expected):
    message = problems_of(tmp_path, f"  type: sklearn\n  estimator: {estimator}\n  params:\n    {params}\n")
    assert f"line 6 ==> At key model.params.{key} ==> expected" in message and expected in message, message


def test_a_build_with_impossible_parameters_is_bad_input_not_a_bug(make_repo, cli):
    spec = "slot: a\nmodel: {type: lightgbm, params: {n_estimators: -5, learning_rate: fast}}\n"
    root = make_repo({"bad.yaml": spec})
    validate = cli("validate", "--synthetic", cwd=root)
    assert validate.returncode == 2 and "model.params.n_estimators" in validate.stderr, validate.stderr
    build = cli("build", "--synthetic", "--no-check", cwd=root)
    assert build.returncode == 2, build.stderr
    assert "model.params.learning_rate" in build.stderr and "this is a bug" not in build.stderr
    assert not (root / "dist").exists()


def test_validate_reports_every_problem_of_every_file(make_repo, capsys):
    root = make_repo({
        "a.yaml": "slot: a\nmodel: {type: nope}\n",
        "b.yaml": "slot: b\nmodel: {type: lightgbm, params: {num_leaves: 1}}\n",
        "c.yaml": 'slot: c\nruntime: "3.9"\nmodel: {type: lightgbm}\n',
    })
    assert main(["validate", "--synthetic", "--repo", str(root)]) == 2
    err = capsys.readouterr().err
    assert "a.yaml, line 2 ==> At key model.type" in err
    assert "b.yaml, line 2 ==> At key model.params.num_leaves" in err
    assert "c.yaml, line 2 ==> At key runtime" in err
