"""`validate` checks specs against what Numerai publishes before any training: the data version (from
the listing, cached for a day), the feature set and the targets (from features.json), served by a
stand-in, and the benchmark columns (datasets/<version>.json). Each mistake: file, line, key, exit 2.
Offline, datasets/ stands in for features.json, and it says what it could not check."""

from __future__ import annotations

import json

import pytest

from {{ cookiecutter.package_name }}.main import main

from conftest import CURRENT, OTHER_TARGET, VERSIONS
from standin import NumeraiStandIn

FEATURES = {"feature_sets": {"small": ["feature_a"], "medium": ["feature_a", "feature_b"]},
            "targets": list(CURRENT.targets)}


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


def repo_with(make_repo, data: str):
    # (plain concatenation: this file is a template, where doubled braces would be Jinja)
    return make_repo({"bad.yaml": "slot: a_model\ndata: {" + data + "}\nmodel: {type: lightgbm}\n"})


@pytest.mark.parametrize(("data", "key", "words"), [
    ("feature_set: mediun", "data.feature_set", "'mediun' (did you mean 'medium'?)"),
    (f"target: {''.join(OTHER_TARGET.rsplit('_', 1))}", "data.target", f"did you mean {OTHER_TARGET!r}"),
    ("version: v5.1", "data.version", "a dataset version Numerai publishes (v5.2, v5.3), got 'v5.1'"),
])
def test_data_mistakes_are_caught_by_validate(served, make_repo, capsys, data, key, words):
    root = repo_with(make_repo, data)
    assert main(["validate", "--repo", str(root)]) == 2
    err = capsys.readouterr().err
    assert f"models/bad.yaml, line 2 ==> At key {key}" in err and words in err, err
    assert "Traceback" not in err


def test_a_valid_spec_passes_and_numerai_is_asked_once_a_day(served, make_repo, capsys):
    root = repo_with(make_repo, f"feature_set: medium, target: {OTHER_TARGET}")
    assert main(["validate", "--repo", str(root)]) == 0
    assert "ok: bad.yaml" in capsys.readouterr().out
    assert main(["validate", "--repo", str(root)]) == 0
    assert served.operations().count("listDatasets") == 1  # the listing is cached
    assert served.file_gets.count(f"{CURRENT.name}/features.json") == 1


@pytest.fixture
def offline_cache(tmp_path, monkeypatch):
    """No features.json at hand and Numerai out of reach (conftest points the API at a closed port)."""
    monkeypatch.setenv("NUMERAI_DATA_DIR", str(tmp_path / "empty-cache"))


@pytest.mark.parametrize(("data", "key", "words"), [
    ("feature_set: meduim", "data.feature_set", "got 'meduim' (did you mean 'medium'?)"),
    (f"target: {OTHER_TARGET}x", "data.target", f"did you mean {OTHER_TARGET!r}"),
])
def test_offline_validate_checks_names_against_the_version_file(offline_cache, make_repo, capsys, data, key, words):
    root = repo_with(make_repo, data)
    assert main(["validate", "--repo", str(root)]) == 2
    err = capsys.readouterr().err
    assert f"models/bad.yaml, line 2 ==> At key {key}" in err and words in err, err


def test_offline_validate_refuses_a_benchmark_column_the_version_lacks(offline_cache, make_repo, capsys):
    other = next(name for name in sorted(set().union(*(version.benchmark_columns for version in VERSIONS.values())))
                 if name not in CURRENT.benchmark_columns)
    root = make_repo({"bad.yaml": "slot: a_model\nmodel: {type: lightgbm}\npredict:\n  benchmark_inputs:\n"
                                  f"    - {CURRENT.benchmark_columns[0]}\n    - {other}\n"})
    assert main(["validate", "--repo", str(root)]) == 2
    err = capsys.readouterr().err
    assert "models/bad.yaml, line 6 ==> At key predict.benchmark_inputs.1" in err and repr(other) in err, err
    assert f"a benchmark column of {CURRENT.name} per datasets/{CURRENT.name}.json" in err
    assert all(column in err for column in CURRENT.benchmark_columns)


def test_offline_validate_says_what_it_could_not_check(offline_cache, make_repo, capsys):
    root = repo_with(make_repo, "feature_set: medium")
    assert main(["validate", "--repo", str(root)]) == 0
    out = capsys.readouterr().out
    assert "data.version was not checked" in out
    assert f"{CURRENT.name}/features.json could not be read: feature sets and targets were checked against " \
           f"datasets/{CURRENT.name}.json" in out


def test_an_unknown_version_offline_is_a_note_not_an_error(offline_cache, make_repo, capsys):
    root = repo_with(make_repo, "version: v99.0")
    assert main(["validate", "--repo", str(root)]) == 0
    out = capsys.readouterr().out
    assert "ok: bad.yaml" in out and "datasets/ has no v99.0.json (Numerai may have published it since)" in out
    assert f"a spec naming no target trains on {CURRENT.payout_target}" in out


def test_training_on_the_bare_target_alias_is_a_warning_that_says_why(offline_cache, make_repo, capsys):
    root = repo_with(make_repo, f"target: {CURRENT.alias_column}")
    assert main(["validate", "--repo", str(root)]) == 0
    out = capsys.readouterr().out
    warning = next(line for line in out.splitlines() if line.startswith("warning: "))
    assert "models/bad.yaml, line 2 ==> At key data.target" in warning
    assert CURRENT.alias_note in warning and CURRENT.payout_target in warning
    root = repo_with(make_repo, f"target: {CURRENT.payout_target}")
    assert main(["validate", "--repo", str(root)]) == 0
    assert "warning:" not in capsys.readouterr().out
