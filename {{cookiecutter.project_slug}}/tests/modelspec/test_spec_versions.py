"""A spec against datasets/: one naming no version trains on the version marked current, one naming no
target on the version's payout target; the shipped specs and examples name real columns of their
version and train on its payout target explicitly (the template keeps the shipped ones equal to the
fixtures; the user's own specs may train on any target)."""

from __future__ import annotations

import json

from {{ cookiecutter.package_name }}.modelspec import load_specs
from {{ cookiecutter.package_name }}.modelspec.load import load_spec
from {{ cookiecutter.package_name }}.modelspec.versions import alias_warnings, version_benchmark_problems

from conftest import CURRENT, FIXTURE_SPECS, OTHER_TARGET, VERSIONS

BARE = "slot: a_model\nmodel: {type: lightgbm}\n"


def test_a_spec_naming_neither_trains_on_the_current_version_and_its_payout_target(make_repo):
    [loaded] = load_specs(make_repo({"a.yaml": BARE}) / "models")
    assert (loaded.spec.data.version, loaded.spec.data.target) == (CURRENT.name, CURRENT.payout_target)


def test_the_default_version_is_the_one_datasets_marks_current(make_repo):
    root = make_repo({"a.yaml": BARE})
    other = next(name for name in VERSIONS if name != CURRENT.name)
    for name in VERSIONS:
        path = root / "datasets" / f"{name}.json"
        path.write_text(json.dumps({**json.loads(path.read_text()), "status": "current" if name == other
                                    else "supported"}))
    [loaded] = load_specs(root / "models")
    assert loaded.spec.data.version == other and loaded.spec.data.target == VERSIONS[other].payout_target


def test_a_named_target_stays_and_an_unknown_version_takes_the_current_payout_target(make_repo):
    # (plain concatenation: this file is a template, where doubled braces would be Jinja)
    root = make_repo({"a.yaml": "slot: a\ndata: {target: " + OTHER_TARGET + "}\nmodel: {type: lightgbm}\n",
                      "b.yaml": "slot: b\ndata: {version: v99.0}\nmodel: {type: lightgbm}\n"})
    named, unknown = load_specs(root / "models")
    assert named.spec.data.target == OTHER_TARGET
    assert (unknown.spec.data.version, unknown.spec.data.target) == ("v99.0", CURRENT.payout_target)


def test_the_fixture_specs_name_their_versions_payout_target_and_real_benchmark_columns():
    paths = sorted(FIXTURE_SPECS.glob("*.yaml"))
    assert len(paths) == 3
    for path in paths:
        loaded = load_spec(path)
        version = VERSIONS[loaded.spec.data.version]
        assert loaded.document["data"]["target"] == version.payout_target, path.name
        assert version_benchmark_problems(loaded, version) == [] and alias_warnings(loaded, version) == [], path.name
