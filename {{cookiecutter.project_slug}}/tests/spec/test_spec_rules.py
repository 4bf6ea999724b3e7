"""`validate` applies build's rules before any training: Numerai's data versions, feature sets and
targets (from a stand-in serving Numerai's listing and features.json), model parameters against the
libraries' own lists, and stacking layers against max_eras. Each mistake: file, line, key, exit 2."""

from __future__ import annotations

import json

import pytest

from {{ cookiecutter.package_name }}.main import main
from {{ cookiecutter.package_name }}.spec import SpecError, check_parameters
from {{ cookiecutter.package_name }}.spec.load import load_spec
from {{ cookiecutter.package_name }}.spec.model import DEFAULT_DATA_VERSION

from conftest import write_spec
from standin import NumeraiStandIn

FEATURES = {"feature_sets": {"small": ["feature_a"], "medium": ["feature_a", "feature_b"]},
            "targets": ["target", "target_cyrus_20", "target_teager2b_20"]}


@pytest.fixture
def served(tmp_path, monkeypatch, make_repo):
    """A stand-in publishing v5.2 and v5.3 with their features.json, NUMERAI_API_URL at it, an empty cache
    (after make_repo, which points the cache at the shared synthetic one)."""
    folder = tmp_path / "served"
    for version in ("v5.2", "v5.3"):
        (folder / version).mkdir(parents=True)
        (folder / version / "features.json").write_text(json.dumps(FEATURES))
    monkeypatch.setenv("NUMERAI_DATA_DIR", str(tmp_path / "cache"))
    with NumeraiStandIn(data_dir=folder) as standin:
        monkeypatch.setenv("NUMERAI_API_URL", standin.url)
        yield standin


def repo_with(make_repo, data: str = "", model: str = "{type: lightgbm}"):
    # (plain concatenation: this file is a template, where doubled braces would be Jinja)
    return make_repo({"bad.yaml": "slot: a_model\ndata: {" + data + "}\nmodel: " + model + "\n"})


@pytest.mark.parametrize(("data", "key", "words"), [
    ("feature_set: mediun", "data.feature_set", "'mediun'"),
    ("target: target_cyrus20", "data.target", "did you mean 'target_cyrus_20'"),
    ("version: v5.1", "data.version", "a dataset version Numerai publishes (v5.2, v5.3), got 'v5.1'"),
])
def test_data_mistakes_are_caught_by_validate(served, make_repo, capsys, data, key, words):
    root = repo_with(make_repo, data)
    assert main(["validate", "--repo", str(root)]) == 2
    err = capsys.readouterr().err
    assert f"models/bad.yaml, line 2 ==> At key {key}" in err and words in err, err
    assert "Traceback" not in err


def test_a_valid_spec_passes_and_numerai_is_asked_once_a_day(served, make_repo, capsys):
    root = repo_with(make_repo, "feature_set: medium, target: target_cyrus_20")
    assert main(["validate", "--repo", str(root)]) == 0
    assert "ok: bad.yaml" in capsys.readouterr().out
    assert main(["validate", "--repo", str(root)]) == 0
    assert served.operations().count("listDatasets") == 1  # the listing is cached
    assert served.file_gets.count(f"{DEFAULT_DATA_VERSION}/features.json") == 1


def test_offline_validate_says_what_it_could_not_check(make_repo, capsys, tmp_path, monkeypatch):
    monkeypatch.setenv("NUMERAI_DATA_DIR", str(tmp_path / "empty-cache"))
    root = repo_with(make_repo, "feature_set: mediun")
    assert main(["validate", "--repo", str(root)]) == 0
    out = capsys.readouterr().out
    assert "data.version was not checked" in out and "features.json could not be read" in out


@pytest.mark.parametrize(("model", "key", "words"), [
    ("{type: lightgbm, params: {n_estimator: 200}}", "model.params.n_estimator", "did you mean 'n_estimators'"),
    ("{type: sklearn, estimator: sklearn.linear_model.Ridge, params: {alpah: 1.0}}", "model.params.alpah",
     "did you mean 'alpha'"),
])
def test_unknown_model_parameters_are_errors(make_repo, capsys, model, key, words):
    root = repo_with(make_repo, model=model)
    assert main(["validate", "--repo", str(root)]) == 2
    err = capsys.readouterr().err
    assert f"At key {key}" in err and words in err and "line 3" in err, err


def test_lightgbm_aliases_and_sklearn_names_are_accepted(tmp_path):
    path = write_spec(tmp_path, "ok.yaml", """
        slot: ok
        model:
          type: ensemble
          members:
            - model: {type: lightgbm, params: {num_iterations: 5, colsample_bytree: 0.5, min_data_in_leaf: 3}}
            - model: {type: sklearn, estimator: sklearn.linear_model.Ridge, params: {alpha: 2.0}}
    """)
    check_parameters([load_spec(path)])


def test_a_typo_deep_in_an_ensemble_names_its_key(tmp_path):
    path = write_spec(tmp_path, "deep.yaml", """
        slot: deep
        model:
          type: ensemble
          members:
            - model: {type: lightgbm}
          layers:
            - members:
                - model: {type: lightgbm, params: {learning_rat: 0.1}}
    """)
    with pytest.raises(SpecError, match=r"At key model.layers.0.members.0.model.params.learning_rat .*'learning_rate'"):
        check_parameters([load_spec(path)])


def test_a_build_with_a_parameter_typo_stops_before_training(make_repo, cli):
    root = repo_with(make_repo, model="{type: sklearn, estimator: sklearn.linear_model.Ridge, params: {alpah: 1}}")
    result = cli("build", "--synthetic", "--no-check", cwd=root)
    assert result.returncode == 2 and "did you mean 'alpha'" in result.stderr and "Traceback" not in result.stderr
    assert not (root / "dist").exists()


@pytest.mark.parametrize(("max_eras", "layers", "fails"), [(1, 2, True), (2, 2, False), (1, 1, False)])
def test_stacked_layers_need_an_era_each(tmp_path, max_eras, layers, fails):
    lines = ["slot: stack", "data:", f"  max_eras: {max_eras}", "model:", "  type: ensemble", "  members:",
             "    - model: {type: lightgbm}"]
    if layers > 1:
        lines += ["  layers:"] + ["    - members: [model: {type: lightgbm}]"] * (layers - 1)
    path = tmp_path / "stack.yaml"
    path.write_text("\n".join(lines) + "\n")
    if fails:
        with pytest.raises(SpecError, match=r"line 3 ==> At key data.max_eras ==> expected at least 2 eras"):
            load_spec(path)
    else:
        load_spec(path)
