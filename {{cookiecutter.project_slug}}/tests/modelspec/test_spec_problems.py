"""Problems say where and what: `File f, line n ==> At key k ==> expected e`, the line being the one of
the deepest key that exists in the YAML document, the file named relative to the working directory."""

from __future__ import annotations

from {{ cookiecutter.package_name }}.modelspec import Problem, SpecError
from {{ cookiecutter.package_name }}.modelspec.problems import display_path, line_of
from {{ cookiecutter.package_name }}.modelspec.reading import yaml_loader

DOCUMENT = """\
slot: a
model:
  type: ensemble
  members:
    - model: {type: lightgbm}
    - model:
        type: lightgbm
        params: {num_leaves: many}
"""


def test_a_problem_reads_file_line_key_expected():
    assert str(Problem("models/a.yaml", 7, "model.type", "one of lightgbm")) == (
        "File models/a.yaml, line 7 ==> At key model.type ==> expected one of lightgbm")
    assert str(Problem("models/a.yaml", None, "", "valid YAML")) == "File models/a.yaml ==> expected valid YAML"


def test_a_spec_error_lists_every_problem_one_a_line():
    error = SpecError([Problem("a.yaml", 1, "slot", "x"), Problem("b.yaml", 2, "model", "y")])
    assert str(error).splitlines() == ["File a.yaml, line 1 ==> At key slot ==> expected x",
                                       "File b.yaml, line 2 ==> At key model ==> expected y"]


def test_line_of_finds_the_deepest_existing_key():
    document = yaml_loader().load(DOCUMENT)
    assert line_of(document, ("slot",)) == 1
    assert line_of(document, ("model", "members", 1, "model", "params")) == 8
    assert line_of(document, ("model", "members", 1, "model", "nowhere")) == 6  # its parent's line
    assert line_of(document, ("model", "members", 5)) == 4


def test_display_path_is_relative_inside_the_working_directory(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert display_path(tmp_path / "models" / "a.yaml") == "models/a.yaml"
    assert display_path(tmp_path.parent / "elsewhere.yaml") == str(tmp_path.parent / "elsewhere.yaml")
