"""Data-version drift, from a spec's version to what Numerai offers: a newer version published, one
uploads mark deprecated or no longer take. `numerai-deploy datasets --report` asks the stand-in and
writes the findings the health workflow turns into issues; unasked, drift is unknown, not absent."""

from __future__ import annotations

import json

import pytest

from {{ cookiecutter.package_name }}.data.drift import DEPRECATED, NEWER, findings

from conftest import CURRENT, STANDIN_SECRET_KEY, VERSIONS

OLDER = next(name for name in VERSIONS if name != CURRENT.name)
SPECS = {OLDER: ["models/a.yaml"], CURRENT.name: ["models/b.yaml"]}


def uploads(*names: str, deprecated: tuple = ()) -> list[dict]:
    return [{"name": name, "default": False, "deprecated": name in deprecated} for name in names]


def test_a_newer_published_version_is_a_finding_for_each_older_spec_version():
    found = findings(SPECS, VERSIONS, [OLDER, CURRENT.name, "v99.0"], None)
    assert [(item["version"], item["kind"]) for item in found] == [(OLDER, NEWER), (CURRENT.name, NEWER)]
    assert "Numerai publishes v99.0, newer than" in found[0]["message"] and "models/a.yaml" in found[0]["message"]
    assert "datasets/ has no v99.0.json yet: add it" in found[0]["message"]


def test_the_current_version_alone_is_no_drift_and_an_older_one_is():
    assert findings({CURRENT.name: ["models/b.yaml"]}, VERSIONS, list(VERSIONS), uploads(*VERSIONS)) == []
    [older] = findings(SPECS, VERSIONS, list(VERSIONS), uploads(*VERSIONS))
    assert (older["version"], older["kind"]) == (OLDER, NEWER)
    assert f"datasets/{CURRENT.name}.json has its facts" in older["message"]


def test_a_deprecated_or_withdrawn_version_a_spec_uses_is_a_finding():
    deprecated = findings(SPECS, VERSIONS, None, uploads(*VERSIONS, deprecated=(OLDER,)))
    assert (OLDER, DEPRECATED) in [(item["version"], item["kind"]) for item in deprecated]
    assert f"Numerai marks {OLDER} deprecated" in next(item["message"] for item in deprecated
                                                       if item["kind"] == DEPRECATED)
    withdrawn = findings(SPECS, VERSIONS, None, uploads(CURRENT.name))
    message = next(item["message"] for item in withdrawn if item["kind"] == DEPRECATED)
    assert f"no longer offer {OLDER}" in message and "a deploy of them is refused" in message


@pytest.fixture
def served(numerai, tmp_path, monkeypatch):
    """The stand-in publishes every vendored version and a newer one (v99.0); the cache is this test's."""
    for name in [*VERSIONS, "v99.0"]:
        (tmp_path / "served" / name).mkdir(parents=True)
        (tmp_path / "served" / name / "features.json").write_text("{}")
    numerai.data_dir = tmp_path / "served"
    return numerai


def test_datasets_reports_what_numerai_offers_against_the_specs(served, numerai_cli, make_repo, tmp_path,
                                                                monkeypatch):
    root = make_repo({"a.yaml": f"slot: a\ndata:\n  version: {OLDER}\nmodel:\n  type: lightgbm\n"})
    monkeypatch.setenv("NUMERAI_DATA_DIR", str(tmp_path / "cache"))
    served.deprecated_data_versions.add(OLDER)
    report_path = tmp_path / "datasets.json"

    result = numerai_cli("datasets", "--repo", root, "--report", report_path)

    assert result.code == 0, result.err
    report = json.loads(report_path.read_text())
    assert report["checked"] and report["newest"] == "v99.0" and report["specs"] == {OLDER: ["models/a.yaml"]}
    assert {item["name"] for item in report["uploads"]} >= set(VERSIONS)
    assert [(item["version"], item["kind"]) for item in report["findings"]] == [(OLDER, NEWER), (OLDER, DEPRECATED)]
    assert f"drift: Numerai marks {OLDER} deprecated" in result.out
    assert STANDIN_SECRET_KEY not in report_path.read_text()


def test_unasked_drift_is_unknown_not_absent(numerai_cli, make_repo, tmp_path, monkeypatch):
    root = make_repo({"a.yaml": "slot: a\nmodel: {type: lightgbm}\n"})
    monkeypatch.setenv("NUMERAI_API_URL", "http://127.0.0.1:9/graphql")
    monkeypatch.setenv("NUMERAI_DATA_DIR", str(tmp_path / "cache"))
    result = numerai_cli("datasets", "--repo", root, "--report", tmp_path / "report.json")
    assert result.code == 0
    report = json.loads((tmp_path / "report.json").read_text())
    assert report["checked"] is False and report["findings"] == []
    assert "drift: unknown" in result.out
