"""The rules beyond a spec's shape, each mistake named by file, line and key with the fix: one spec
per slot, a runtime of the catalogue, a feature set and targets of features.json, importable
estimators and entry points, model parameters against the libraries' own lists, and stacking layers
against max_eras. `validate` and `build` apply them before any training (exit 2)."""

from __future__ import annotations

import json

import pytest

from {{ cookiecutter.package_name }}.kinds.checks import check_parameters
from {{ cookiecutter.package_name }}.main import main
from {{ cookiecutter.package_name }}.modelspec import SpecError, load_specs
from {{ cookiecutter.package_name }}.modelspec.load import load_spec
from {{ cookiecutter.package_name }}.modelspec.rules import data_problems

from conftest import PACKAGE, write_spec

LIGHTGBM = "slot: a\nmodel: {type: lightgbm}\n"


def test_duplicate_slot_names_across_files_name_both_files(tmp_path):
    write_spec(tmp_path, "one.yaml", LIGHTGBM)
    write_spec(tmp_path, "two.yaml", LIGHTGBM)
    with pytest.raises(SpecError) as caught:
        load_specs(tmp_path)
    message = str(caught.value)
    assert "two.yaml, line 1 ==> At key slot" in message and "one.yaml" in message


def test_unknown_runtime_is_checked_against_the_catalogue(tmp_path):
    write_spec(tmp_path, "a.yaml", 'slot: a\nruntime: "3.9"\nmodel: {type: lightgbm}\n')
    with pytest.raises(SpecError, match=r"line 2 ==> At key runtime ==> expected 'default' or one of .*3\.12"):
        load_specs(tmp_path, runtimes=["3.10", "3.11", "3.12", "3.13"])
    write_spec(tmp_path, "a.yaml", 'slot: a\nruntime: "3.12"\nmodel: {type: lightgbm}\n')
    assert load_specs(tmp_path, runtimes=["3.12"])


def test_feature_set_and_targets_are_checked_against_features_json(tmp_path):
    metadata = tmp_path / "features.json"
    metadata.write_text(json.dumps({"feature_sets": {"small": [], "medium": []}, "targets": ["target", "target_x_20"]}))
    path = write_spec(tmp_path, "a.yaml", """
        slot: a
        data: {feature_set: huge, target: target_y_20}
        model: {type: lightgbm}
    """)
    messages = [str(problem) for problem in data_problems(load_spec(path), metadata)]
    assert any("line 2 ==> At key data.feature_set" in m and "medium, small" in m and "'huge'" in m for m in messages)
    assert any("line 2 ==> At key data.target" in m and "'target_y_20'" in m and "did you mean 'target_x_20'" in m
               for m in messages)
    fitting = write_spec(tmp_path, "b.yaml", "slot: b\ndata: {feature_set: small, target: target_x_20}\n"
                                             "model: {type: lightgbm}\n")
    assert data_problems(load_spec(fitting), metadata) == []


@pytest.mark.parametrize(("model", "expected"), [
    pytest.param("  type: sklearn\n  estimator: sklearn.linear_model.Rigde\n",
                 ["line 4", "At key model.estimator", "has no 'Rigde'"], id="estimator not importable"),
    pytest.param(f"  type: custom\n  entry_point: {PACKAGE}.custom.nowhere:train\n",
                 ["line 4", "At key model.entry_point", "cannot be imported"], id="entry point not importable"),
    pytest.param("  type: sklearn\n  estimator: os.system\n  params: {command: touch pwned}\n",
                 ["line 4", "At key model.estimator", "sklearn, lightgbm", "custom"], id="estimator os.system"),
    pytest.param("  type: sklearn\n  estimator: xgboost_missing_here.XGBRegressor\n",
                 ["line 4", "At key model.estimator", "a library the runtime images lock"], id="not a locked library"),
    pytest.param("  type: custom\n  entry_point: os:system\n", ["line 4", "At key model.entry_point", "custom"],
                 id="entry point os:system"),
    pytest.param("  type: sklearn\n  estimator: sklearn.utils.Bunch\n",
                 ["line 4", "At key model.estimator", "an estimator class", "fit and predict"], id="not an estimator"),
    pytest.param(f"  type: custom\n  entry_point: {PACKAGE}.custom.example:np\n",
                 ["line 4", "At key model.entry_point", "a function or class"], id="entry point not callable"),
])
def test_estimators_and_entry_points_must_be_allowed_and_import(tmp_path, model, expected):
    """Only from sklearn, lightgbm or the package's custom/, and only a class or function of the right kind."""
    path = write_spec(tmp_path, "broken.yaml", "slot: a\nmodel:\n" + model)
    with pytest.raises(SpecError) as caught:
        load_spec(path)
    message = str(caught.value)
    assert message.startswith("File ") and "broken.yaml" in message
    for fragment in expected:
        assert fragment in message, f"{fragment!r} not in {message!r}"


def test_validate_imports_no_module_outside_the_allowed_places(make_repo, monkeypatch, capsys, tmp_path):
    (tmp_path / "side_effects_on_import.py").write_text("import pathlib\npathlib.Path(__file__).with_suffix('.ran')"
                                                        ".touch()\nclass Model:\n    def fit(self): ...\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    root = make_repo({"a.yaml": "slot: a\nmodel: {type: sklearn, estimator: side_effects_on_import.Model}\n",
                      "b.yaml": "slot: b\nmodel: {type: custom, entry_point: side_effects_on_import:Model}\n"})
    assert main(["validate", "--synthetic", "--repo", str(root)]) == 2
    assert "a.yaml, line 2 ==> At key model.estimator" in capsys.readouterr().err
    assert not (tmp_path / "side_effects_on_import.ran").exists()


def repo_with(make_repo, model: str):
    # (plain concatenation: this file is a template, where doubled braces would be Jinja)
    return make_repo({"bad.yaml": "slot: a_model\ndata: {}\nmodel: " + model + "\n"})


@pytest.mark.parametrize(("model", "key", "words"), [
    ("{type: lightgbm, params: {n_estimator: 200}}", "model.params.n_estimator", "did you mean 'n_estimators'"),
    ("{type: sklearn, estimator: sklearn.linear_model.Ridge, params: {alpah: 1.0}}", "model.params.alpah",
     "did you mean 'alpha'"),
])
def test_unknown_model_parameters_are_errors(make_repo, capsys, model, key, words):
    root = repo_with(make_repo, model)
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
    root = repo_with(make_repo, "{type: sklearn, estimator: sklearn.linear_model.Ridge, params: {alpah: 1}}")
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


LOCKED_LIBRARY = """
class Regressor:
    def __init__(self, depth=3):
        self.depth = depth

    def get_params(self, deep=True):
        return {"depth": self.depth}

    def fit(self, X, y):
        return self

    def predict(self, X):
        return X[:, 0]
"""


def test_an_estimator_from_any_library_the_image_locks_is_accepted(make_repo, monkeypatch, capsys, tmp_path):
    """Not only scikit-learn's: a class with fit and predict from a locked library (xgboost and catboost are),
    here a stand-in library added to the default image's lock; an image without it is named."""
    (tmp_path / "lockedlib.py").write_text(LOCKED_LIBRARY)
    monkeypatch.syspath_prepend(str(tmp_path))
    root = make_repo({"a.yaml": "slot: a\nmodel: {type: sklearn, estimator: lockedlib.Regressor, "
                                "params: {depth: 4}}\n"})
    locks = sorted((root / "runtimes").glob("py3.*-*.txt"))
    assert locks, "the repository's runtimes have locks"
    with locks[-1].open("a") as lock:
        lock.write("lockedlib==1.0\n")
    from {{ cookiecutter.package_name }}.modelspec.locked import locked_distributions

    locked_distributions.cache_clear()
    loaded = load_spec(root / "models" / "a.yaml")
    from {{ cookiecutter.package_name }}.kinds.checks import image_problems
    from {{ cookiecutter.package_name }}.runtimes import load_catalogue

    by_lock = {runtime.lock.name: runtime for runtime in load_catalogue(root / "runtimes")}
    assert image_problems(loaded, by_lock[locks[-1].name]) == []
    [problem] = image_problems(loaded, by_lock[locks[0].name])
    assert "has no 'lockedlib'" in problem.expected and problem.key == "model.estimator"
    check_parameters([loaded])
    with pytest.raises(SpecError, match="did you mean 'depth'"):
        check_parameters([load_spec(write_spec(root / "models", "b.yaml",
                                               "slot: b\nmodel: {type: sklearn, estimator: lockedlib.Regressor, "
                                               "params: {dept: 4}}\n"))])


def test_a_locked_library_that_is_not_installed_is_named_with_the_fix(make_repo):
    """xgboost is in every image's lock; this environment lacks it until the project depends on it."""
    try:
        import xgboost  # noqa: F401
        pytest.skip("xgboost is installed here")
    except ImportError:
        pass
    root = make_repo({"x.yaml": "slot: x\nmodel: {type: sklearn, estimator: xgboost.XGBRegressor}\n"})
    with pytest.raises(SpecError) as caught:
        load_spec(root / "models" / "x.yaml")
    message = str(caught.value)
    assert "At key model.estimator" in message and "add 'xgboost'" in message
    assert "`[project] dependencies` in pyproject.toml" in message


def test_custom_code_importing_a_missing_package_is_told_to_add_it(tmp_path, monkeypatch):
    from {{ cookiecutter.package_name }}.modelspec.rules import import_problem

    (tmp_path / "uses_missing.py").write_text("import not_a_package_anyone_has\n\ndef train(*args):\n    pass\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    reason = import_problem("uses_missing", "train")
    assert "add 'not_a_package_anyone_has'" in reason and "[project] dependencies" in reason
def challenger_spec(slot: str, of: str | None = None, extra: str = "") -> str:
    section = f"challenger:\n  of: {of}\n{extra}" if of else ""
    return f"slot: {slot}\nmodel:\n  type: lightgbm\n{section}"


def test_a_challenger_names_another_specs_slot_that_is_no_challenger_itself(tmp_path):
    write_spec(tmp_path, "champion.yaml", challenger_spec("champion"))
    write_spec(tmp_path, "b.yaml", challenger_spec("b", "champion", "  min_rounds: 8\n"))
    found = {item.spec.slot: item for item in load_specs(tmp_path)}["b"]
    assert (found.spec.challenger.of, found.spec.challenger.min_rounds, found.spec.challenger.metric) == \
        ("champion", 8, None)

    write_spec(tmp_path, "c.yaml", challenger_spec("c", "nobody"))
    write_spec(tmp_path, "d.yaml", challenger_spec("d", "b"))
    write_spec(tmp_path, "e.yaml", challenger_spec("e", "e"))
    with pytest.raises(SpecError) as caught:
        load_specs(tmp_path)
    message = str(caught.value)
    assert "c.yaml, line 5 ==> At key challenger.of ==> expected the slot of another spec in models/" in message
    assert "got 'nobody'" in message
    assert "d.yaml, line 5 ==> At key challenger.of ==> expected a champion that is not a challenger itself: 'b' (" \
        in message
    assert "b.yaml) challenges 'champion'; challenge 'champion' instead" in message
    assert "e.yaml, line 5 ==> At key challenger.of ==> expected another spec's slot, not this spec's own" in message


def test_two_slots_may_not_challenge_each_other_and_min_rounds_is_at_least_four(tmp_path):
    write_spec(tmp_path, "a.yaml", challenger_spec("a", "b"))
    write_spec(tmp_path, "b.yaml", challenger_spec("b", "a"))
    with pytest.raises(SpecError, match=r"a.yaml, line 5 ==> At key challenger.of ==> expected one of the two to be "
                                        r"the champion: 'a' and 'b' challenge each other"):
        load_specs(tmp_path)

    write_spec(tmp_path, "b.yaml", challenger_spec("b", None))
    write_spec(tmp_path, "a.yaml", challenger_spec("a", "b", "  min_rounds: 3\n"))
    with pytest.raises(SpecError, match=r"a.yaml, line 6 ==> At key challenger.min_rounds ==> expected .*4"):
        load_specs(tmp_path)


def test_whom_a_slot_challenges_does_not_change_its_fingerprint(tmp_path):
    from {{ cookiecutter.package_name }}.artifact.fingerprint import fingerprint
    from {{ cookiecutter.package_name }}.runtimes import load_catalogue, resolve_runtime

    from conftest import REPO_ROOT

    write_spec(tmp_path, "champion.yaml", challenger_spec("champion"))
    write_spec(tmp_path, "b.yaml", challenger_spec("b"))
    [plain, _] = load_specs(tmp_path)  # b.yaml, champion.yaml
    write_spec(tmp_path, "b.yaml", challenger_spec("b", "champion"))
    [challenging, _] = load_specs(tmp_path)
    runtime = resolve_runtime("default", load_catalogue(REPO_ROOT / "runtimes"))
    package_dir = REPO_ROOT / "src" / PACKAGE
    assert challenging.spec.challenger is not None
    assert fingerprint(plain.spec, runtime, package_dir) == fingerprint(challenging.spec, runtime, package_dir)
