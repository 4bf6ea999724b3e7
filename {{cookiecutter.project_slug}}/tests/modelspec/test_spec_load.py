"""Loading specs: every malformed file gets its own error naming file, line, key and the fix."""

from __future__ import annotations

import pytest

from {{ cookiecutter.package_name }}.modelspec import SpecError, load_specs
from {{ cookiecutter.package_name }}.modelspec.load import load_spec

from conftest import FIXTURE_SPECS, write_spec

GOOD = """
    slot: good_model
    model:
      type: lightgbm
      params: {n_estimators: 10}
"""


def problems_of(tmp_path, text: str, name: str = "broken.yaml") -> str:
    path = write_spec(tmp_path, name, text)
    with pytest.raises(SpecError) as caught:
        load_spec(path)
    return str(caught.value)


def test_a_good_spec_loads_with_defaults(tmp_path):
    loaded = load_spec(write_spec(tmp_path, "good.yaml", GOOD))
    assert loaded.spec.slot == "good_model"
    assert loaded.spec.runtime == "default"
    assert loaded.spec.predict.rank_per_era is True
    assert loaded.spec.deploy.webhook == "refuse"
    assert loaded.spec.model.params == {"n_estimators": 10}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("slot: a\nmodel:\n  type: lightgbm\n  parms: {}\n",
                     ["line 4", "At key model.parms", "did you mean 'params'"], id="unknown key with hint"),
        pytest.param("slot: a\nmodel:\n  type: xgb\n",
                     ["line 3", "At key model.type", "lightgbm", "got 'xgb'"], id="unknown model type"),
        pytest.param("slot: a\nmodel: {params: {}}\n", ["At key model", "a `type` key"], id="model without type"),
        pytest.param("model: {type: lightgbm}\n", ["At key slot", "required"], id="missing slot"),
        pytest.param("slot: My-Model\nmodel: {type: lightgbm}\n",
                     ["line 1", "At key slot", "lowercase", "'My-Model'"], id="slot Numerai rejects"),
        # Whole strings: a trailing newline would reach file names, GITHUB_OUTPUT and a model's name.
        pytest.param('slot: "my_model\\n"\nmodel: {type: lightgbm}\n',
                     ["line 1", "At key slot", "'my_model\\n'"], id="slot with a trailing newline"),
        pytest.param('slot: a\ndata: {version: "v5.2\\n"}\nmodel: {type: lightgbm}\n',
                     ["line 2", "At key data.version", "'v5.2\\n'"], id="version with a trailing newline"),
        pytest.param("slot: a\nruntime: 3.10\nmodel: {type: lightgbm}\n",
                     ["line 2", "At key runtime", "quoted", "'3.12'"], id="unquoted python minor"),
        pytest.param("slot: a\ndata:\n  era_step: four\nmodel: {type: lightgbm}\n",
                     ["line 3", "At key data.era_step", "an integer", "'four'"], id="wrong type"),
        pytest.param("slot: a\ndata: {era_step: 0}\nmodel: {type: lightgbm}\n",
                     ["At key data.era_step", "greater than or equal to 1"], id="out of range"),
        pytest.param("slot: a\ndata: {version: 5.2}\nmodel: {type: lightgbm}\n",
                     ["At key data.version"], id="version not a string"),
        pytest.param("slot: a\nmodel:\n  type: ensemble\n  members: []\n",
                     ["At key model.members", "at least 1"], id="empty ensemble"),
        pytest.param("slot: a\nmodel:\n  type: ensemble\n  members:\n    - model: {type: lightgbm}\n      weight: -1\n",
                     ["line 6", "At key model.members.0.weight", "greater than 0"], id="negative weight"),
        pytest.param("slot: a\ndeploy: {webhook: delete}\nmodel: {type: lightgbm}\n",
                     ["At key deploy.webhook", "'refuse'", "'clear'"], id="bad webhook choice"),
        pytest.param("slot: a\nslot: b\nmodel: {type: lightgbm}\n", ["line 2", "valid YAML", "duplicate"],
                     id="duplicate key"),
        pytest.param("slot: [a\n", ["valid YAML"], id="yaml syntax"),
        pytest.param("- just\n- a list\n", ["line 1", "a mapping"], id="not a mapping"),
    ],
)
def test_each_broken_spec_gets_its_own_clear_error(tmp_path, text, expected):
    message = problems_of(tmp_path, text)
    assert message.startswith("File ")
    assert "broken.yaml" in message
    for fragment in expected:
        assert fragment in message, f"{fragment!r} not in {message!r}"


def test_all_problems_of_all_files_are_reported_together(tmp_path):
    write_spec(tmp_path, "a.yaml", "slot: a\nmodel: {type: nope}\n")
    write_spec(tmp_path, "b.yaml", "slot: b\nmodel: {type: lightgbm}\ncolour: red\n")
    with pytest.raises(SpecError) as caught:
        load_specs(tmp_path)
    assert len(caught.value.problems) == 2


def test_cli_reports_spec_errors_with_exit_2_and_no_traceback(make_repo, cli):
    root = make_repo({"bad.yaml": "slot: a\nmodel:\n  type: lightgbm\n  parms: {}\n"})
    result = cli("validate", cwd=root)
    assert result.returncode == 2
    assert "File models/bad.yaml, line 4 ==> At key model.parms" in result.stderr
    assert "Traceback" not in result.stderr


def test_cli_build_rejects_a_broken_spec_before_training(make_repo, cli):
    root = make_repo({"bad.yaml": "slot: a\ndata: {era_step: 0}\nmodel: {type: lightgbm}\n"})
    result = cli("build", "--synthetic", "--no-check", cwd=root)
    assert result.returncode == 2
    assert "At key data.era_step" in result.stderr
    assert not (root / "dist").exists()


def test_every_fixture_spec_is_valid():
    paths = sorted(FIXTURE_SPECS.glob("*.yaml"))
    assert paths
    for path in paths:
        assert load_spec(path).spec.slot
