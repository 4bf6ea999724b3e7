"""The spec's `gate:` keyed by Numerai's diagnostics names: validate names each mistake with file, line, key
and the fix (a did-you-mean from datasets/diagnostics.json), and the gate is no part of the fingerprint."""

from __future__ import annotations

import json

import pytest

from {{ cookiecutter.package_name }}.artifact.fingerprint import fingerprint
from {{ cookiecutter.package_name }}.diagnostic_names import load_names
from {{ cookiecutter.package_name }}.main import main
from {{ cookiecutter.package_name }}.modelspec import SpecError
from {{ cookiecutter.package_name }}.modelspec.load import load_spec
from {{ cookiecutter.package_name }}.runtimes import load_catalogue, resolve_runtime

from conftest import REPO_ROOT, write_spec

SPEC = "slot: a\nmodel: {type: lightgbm}\ngate:\n"


def spec_file(folder, text: str):
    folder.mkdir(parents=True, exist_ok=True)
    return write_spec(folder, "a.yaml", text)


def problems_of(tmp_path, gate: str) -> str:
    path = spec_file(tmp_path / "models", SPEC + gate)
    with pytest.raises(SpecError) as caught:
        load_spec(path)
    return str(caught.value)


def test_a_misspelt_diagnostic_name_gets_a_did_you_mean(tmp_path):
    message = problems_of(tmp_path, "  validationCorrSharp: {min: 0.5}\n")
    assert "line 4 ==> At key gate.validationCorrSharp ==> expected one of Numerai's diagnostics figures" in message
    assert "did you mean 'validationCorrSharpe'?" in message


def test_a_bound_that_is_not_a_number_is_named(tmp_path):
    message = problems_of(tmp_path, "  validationFeatureCorrMax: {max: '0.4'}\n  validationCorrMean: {min: true}\n")
    assert "At key gate.validationFeatureCorrMax.max ==> expected a number, got '0.4'" in message
    assert "At key gate.validationCorrMean.min ==> expected a number, got True" in message


def test_an_unknown_bound_kind_lists_the_kinds(tmp_path):
    message = problems_of(tmp_path, "  validationMmcMean: {minimum: 0.1}\n  validationApy: {}\n")
    assert "allowed keys are max, min, min_vs_deployed; did you mean 'min'?" in message
    assert "At key gate.validationApy ==> expected at least one bound" in message


def test_every_problem_of_the_gate_is_reported_at_once(tmp_path):
    message = problems_of(tmp_path, "  validationCorrSharp: {min: 0.5}\n  validationApy: {max: x}\n")
    assert "gate.validationCorrSharp" in message and "gate.validationApy.max" in message


def test_a_valid_gate_loads_and_validate_accepts_it(make_repo, capsys):
    root = make_repo({"a.yaml": SPEC + "  validationCorrSharpe: {min: 0.5}\n"
                                       "  validationCorrPlusMmcSharpe: {min_vs_deployed: -0.05}\n"})
    spec = load_spec(root / "models" / "a.yaml").spec
    assert spec.gate["validationCorrSharpe"].min == 0.5
    assert spec.gate["validationCorrPlusMmcSharpe"].min_vs_deployed == -0.05
    assert main(["validate", "--repo", str(root), "--synthetic"]) == 0, capsys.readouterr()


def test_the_gate_is_not_part_of_the_fingerprint(tmp_path):
    runtime = resolve_runtime("default", load_catalogue(REPO_ROOT / "runtimes"))
    plain = load_spec(spec_file(tmp_path / "one", "slot: a\nmodel: {type: lightgbm}\n")).spec
    gated = load_spec(spec_file(tmp_path / "two", SPEC + "  validationCorrSharpe: {min: 9}\n")).spec
    package = REPO_ROOT / "src" / "{{ cookiecutter.package_name }}"
    assert gated.gate and fingerprint(plain, runtime, package) == fingerprint(gated, runtime, package)


def test_the_names_are_dated_data_with_their_sources():
    names = load_names(REPO_ROOT / "datasets")
    document = json.loads((REPO_ROOT / "datasets" / "diagnostics.json").read_text())
    assert names.checked == document["checked"] and any("numerapi" in source for source in names.sources)
    assert set(names.headline) <= set(names.figures) and "validationCorrSharpe" in names.figures
