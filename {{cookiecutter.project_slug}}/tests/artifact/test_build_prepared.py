"""The data a build trains on is made ready by `build` itself, then handed to its training child by path."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from {{ cookiecutter.package_name }}.artifact.prepared import read_prepared, write_prepared
from {{ cookiecutter.package_name }}.data.remote import DatasetFiles
from {{ cookiecutter.package_name }}.errors import UsageError

from conftest import LIGHTGBM_SPEC, PACKAGE


def test_the_hand_off_names_each_slots_files_by_absolute_path(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "cache" / "v5.3" / "columns").mkdir(parents=True)
    handed = tmp_path / "prepared.json"
    projected = {"train.parquet": Path("cache/v5.3/columns/t.parquet")}
    write_prepared(handed, {"a": Path("cache/v5.3"), "b": DatasetFiles(Path("cache/v5.3"), projected)})
    found = read_prepared(handed)
    assert found["a"] / "features.json" == tmp_path / "cache" / "v5.3" / "features.json"
    assert found["b"] / "train.parquet" == tmp_path / "cache" / "v5.3" / "columns" / "t.parquet"
    assert found["b"] / "validation.parquet" == tmp_path / "cache" / "v5.3" / "validation.parquet"


def test_a_hand_off_that_is_not_one_is_refused_by_name(tmp_path):
    handed = tmp_path / "prepared.json"
    handed.write_text('{"a": {"folder": 3}}')
    with pytest.raises(UsageError, match="prepared.json: not a file of prepared data"):
        read_prepared(handed)


def test_a_build_in_the_repository_with_the_default_data_cache(make_repo):
    """No NUMERAI_DATA_DIR: the cache is .numerai-data of the repository, a relative path the training child,
    which runs in a folder of its own, still finds."""
    repo = make_repo({"gbm.yaml": LIGHTGBM_SPEC})
    environment = {name: value for name, value in os.environ.items() if name != "NUMERAI_DATA_DIR"}
    result = subprocess.run([sys.executable, "-m", PACKAGE, "build", "--synthetic", "--no-check", "gbm_model"],
                            cwd=repo, env=environment, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout + result.stderr
    assert (repo / ".numerai-data" / "synthetic-v5.3" / "train.parquet").is_file()
    assert len(list((repo / "dist").glob("gbm_model-*.pkl"))) == 1
