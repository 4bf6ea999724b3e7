"""The runner table: GitHub's sizes by label and visibility, hosted or not, and bad tables named."""

from __future__ import annotations

import json
import shutil

import pytest

from {{ cookiecutter.package_name }}.errors import UsageError
from {{ cookiecutter.package_name }}.runtimes.runners import FALLBACK_LABEL, load_runners

from conftest import REPO_ROOT


def test_standard_runners_are_smaller_for_a_private_repository():
    table = load_runners(REPO_ROOT / "runtimes")
    assert table.runner("ubuntu-latest", "private").memory_gb == 7
    assert table.runner("ubuntu-latest", "public").memory_gb == 16
    assert table.runner("ubuntu-latest-8-cores", "public").memory_gb == 32  # no public size: the private one
    assert table.runner("ubuntu-latest", None).memory_gb == 7, "unknown visibility: the smaller sizes"
    assert table.runner("ubuntu-latest", "internal").memory_gb == 7
    assert table.cache_gb == 10


def test_only_listed_hosted_labels_count_as_github_hosted():
    table = load_runners(REPO_ROOT / "runtimes")
    assert table.hosted(FALLBACK_LABEL) and table.hosted("ubuntu-24.04") and table.hosted("ubuntu-latest-16-cores")
    assert not table.hosted("self-hosted") and not table.hosted("my-gpu-box")
    unknown = table.runner("my-gpu-box", "private")
    assert not unknown.known and "size unknown" in unknown.describe()


def test_a_user_lists_a_self_hosted_machine(tmp_path):
    shutil.copytree(REPO_ROOT / "runtimes", tmp_path / "runtimes")
    path = tmp_path / "runtimes" / "runners.json"
    data = json.loads(path.read_text())
    data["runners"].append({"labels": ["gpu-box"], "hosted": False, "private": {"memory_gb": 128, "disk_gb": 900}})
    path.write_text(json.dumps(data))
    table = load_runners(tmp_path / "runtimes")
    assert table.runner("gpu-box", "private").memory_gb == 128 and not table.hosted("gpu-box")


@pytest.mark.parametrize(("change", "words"), [
    (lambda data: data["runners"].append({"labels": ["ubuntu-latest"], "hosted": True,
                                          "private": {"memory_gb": 1, "disk_gb": 1}}), "listed twice"),
    (lambda data: data["runners"][0].update(hosted="yes"), "runners[0].hosted"),
    (lambda data: data["runners"][0]["private"].update(memory_gb=-1), "runners[0].private"),
    (lambda data: data.pop("actions_cache"), "actions_cache.gb"),
])
def test_a_malformed_table_is_bad_input_naming_the_key(tmp_path, change, words):
    shutil.copytree(REPO_ROOT / "runtimes", tmp_path / "runtimes")
    path = tmp_path / "runtimes" / "runners.json"
    data = json.loads(path.read_text())
    change(data)
    path.write_text(json.dumps(data))
    with pytest.raises(UsageError, match="runners.json") as raised:
        load_runners(tmp_path / "runtimes")
    assert words in str(raised.value)
