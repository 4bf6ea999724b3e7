"""Numerai's dataset versions as data: every file of datasets/ reads into a DatasetVersion whose facts
hang together, versions sort as numbers, exactly one is current, and a broken file is bad input
naming the file and the key."""

from __future__ import annotations

import json
import shutil

import pytest

from {{ cookiecutter.package_name }}.datasets import current_version, known_versions, load_version, load_versions
from {{ cookiecutter.package_name }}.errors import UsageError
from {{ cookiecutter.package_name }}.repo import Repo
from {{ cookiecutter.package_name }}.settings import load_settings

from conftest import REPO_ROOT, VERSIONS


def test_every_vendored_version_reads_and_its_facts_hang_together():
    assert VERSIONS and list(VERSIONS) == known_versions(Repo(REPO_ROOT, load_settings()))
    for name, version in VERSIONS.items():
        assert version.name == name and version.checked and version.sources
        assert version.payout_target in version.targets
        assert version.alias_column is None or (version.alias_column in version.targets and version.alias_note)
        assert {"small", "medium", "all"} <= set(version.feature_sets)
        assert all(size <= version.feature_sets["all"] for size in version.feature_sets.values())
        assert version.feature_sets["small"] < version.feature_sets["medium"] < version.feature_sets["all"]
        assert version.benchmark_columns and len(set(version.benchmark_columns)) == len(version.benchmark_columns)
        assert version.train_eras > 0 and 1000 < version.rows_per_era < 10_000
        assert int(version.validation_first_era) == int(version.train_last_era) + 1
    assert sum(version.status == "current" for version in VERSIONS.values()) == 1


def test_the_current_version_is_the_newest_vendored_one():
    assert current_version(VERSIONS).name == known_versions(REPO_ROOT / "datasets")[-1]


@pytest.fixture
def folder(tmp_path):
    copy = tmp_path / "datasets"
    shutil.copytree(REPO_ROOT / "datasets", copy)
    return copy


def rewrite(path, **changes) -> None:
    data = json.loads(path.read_text())
    data.update(changes)
    path.write_text(json.dumps(data))


def test_versions_sort_as_numbers(folder):
    newest = known_versions(folder)[-1]
    for name in ("v5.10", "v5.9"):
        shutil.copy(folder / f"{newest}.json", folder / f"{name}.json")
        rewrite(folder / f"{name}.json", version=name, status="supported")
    assert known_versions(folder)[-2:] == ["v5.9", "v5.10"]


@pytest.mark.parametrize(("changes", "words"), [
    ({"status": "retired"}, "key 'status' ==> expected one of current, supported, deprecated"),
    ({"payout_target": "target_nobody_20"}, "key 'payout_target' ==> expected one of `targets`"),
    ({"feature_sets": {"small": 42}}, "key 'feature_sets' ==> expected positive sizes, `all` among them"),
    ({"targets": "target"}, "key 'targets' ==> expected list"),
    ({"version": "v0.1"}, "key 'version' ==> expected"),
])
def test_a_broken_version_file_is_bad_input_naming_file_and_key(folder, changes, words):
    name = known_versions(folder)[-1]
    rewrite(folder / f"{name}.json", **changes)
    with pytest.raises(UsageError) as caught:
        load_version(folder, name)
    assert f"{name}.json: {words}" in str(caught.value)


def test_exactly_one_version_is_current(folder):
    for name in known_versions(folder):
        rewrite(folder / f"{name}.json", status="supported")
    with pytest.raises(UsageError, match="0 version files have status 'current' ==> mark exactly one"):
        current_version(load_versions(folder))


def test_a_missing_version_or_folder_says_what_there_is(folder, tmp_path):
    with pytest.raises(UsageError, match=r"v9\.9\.json ==> one of " + ", ".join(known_versions(folder))):
        load_version(folder, "v9.9")
    with pytest.raises(UsageError, match="has no dataset version files"):
        load_versions(tmp_path / "nowhere")
