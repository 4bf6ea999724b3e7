"""Outputs and step summaries reach the files GitHub Actions names, and nothing is written outside Actions."""

from __future__ import annotations

import pytest

from {{ cookiecutter.package_name }}.github_actions import append_outputs, append_summary
from {{ cookiecutter.package_name }}.settings import load_settings


def test_outputs_are_appended_as_name_value_lines(tmp_path, monkeypatch):
    output = tmp_path / "output"
    output.write_text("earlier=1\n")
    monkeypatch.setenv("GITHUB_OUTPUT", str(output))
    assert append_outputs(load_settings(), {"count": "2", "slots": "a b"}) == output
    assert output.read_text() == "earlier=1\ncount=2\nslots=a b\n"


def test_an_output_of_several_lines_is_refused(tmp_path, monkeypatch):
    output = tmp_path / "output"
    monkeypatch.setenv("GITHUB_OUTPUT", str(output))
    with pytest.raises(ValueError, match="matrix spans lines"):
        append_outputs(load_settings(), {"matrix": "{\n}"})
    assert not output.exists()


def test_summaries_accumulate_one_after_another(tmp_path, monkeypatch):
    summary = tmp_path / "summary.md"
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    append_summary(load_settings(), "### one")
    append_summary(load_settings(), "### two")
    assert summary.read_text() == "### one\n### two\n"


def test_outside_actions_nothing_is_written(tmp_path, monkeypatch):
    monkeypatch.delenv("GITHUB_OUTPUT", raising=False)
    monkeypatch.delenv("GITHUB_STEP_SUMMARY", raising=False)
    monkeypatch.chdir(tmp_path)
    assert append_outputs(load_settings(), {"count": "0"}) is None and append_summary(load_settings(), "text") is None
    assert list(tmp_path.iterdir()) == []
