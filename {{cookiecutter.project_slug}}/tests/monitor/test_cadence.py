"""Numerai's round cadence as dated data (facts/rounds.json): read by the code, with its sources, and a
broken file named with the fix."""

from __future__ import annotations

import json

import pytest

from {{ cookiecutter.package_name }}.errors import UsageError
from {{ cookiecutter.package_name }}.monitor.cadence import Cadence, read_cadence
from {{ cookiecutter.package_name }}.repo import Repo
from {{ cookiecutter.package_name }}.settings import load_settings

from conftest import REPO_ROOT


def test_the_shipped_facts_are_dated_sourced_and_read():
    content = json.loads((REPO_ROOT / "facts" / "rounds.json").read_text())
    assert content["checked"] and content["rounds_per_week_sources"] and content["resolve_sources"]
    cadence = read_cadence(Repo(REPO_ROOT, load_settings()))
    assert (cadence.rounds_per_week, cadence.resolve_days) == (5, 28)
    # Twenty rounds of a new slot: four weeks to open, four more until the last resolves.
    assert cadence.weeks_for(20) == 8 and cadence.weeks_for(0) == 0


def test_a_missing_or_broken_facts_file_is_bad_input_naming_it(tmp_path):
    with pytest.raises(UsageError, match=r"rounds.json is missing ==> restore facts/rounds.json"):
        read_cadence(Repo(tmp_path, load_settings()))
    (tmp_path / "facts").mkdir()
    (tmp_path / "facts" / "rounds.json").write_text('{"rounds_per_week": "five"}')
    with pytest.raises(UsageError, match=r"rounds.json ==> expected rounds_per_week, resolve_days_after_close"):
        read_cadence(Repo(tmp_path, load_settings()))
    assert Cadence(5, 28, "x").weeks_for(3) == 5
