"""`validate` checks specs against what Numerai publishes before any training: the data version (from
the listing, cached for a day), the feature set and the targets (from features.json), served by a
stand-in. Each mistake: file, line, key, exit 2; offline, it says what it could not check."""

from __future__ import annotations

import json

import pytest

from {{ cookiecutter.package_name }}.main import main
from {{ cookiecutter.package_name }}.spec.model import DEFAULT_DATA_VERSION

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


def repo_with(make_repo, data: str):
    # (plain concatenation: this file is a template, where doubled braces would be Jinja)
    return make_repo({"bad.yaml": "slot: a_model\ndata: {" + data + "}\nmodel: {type: lightgbm}\n"})


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
