"""Datasets come through numerapi's `dataset` query and a file download, once; then from the cache."""

from __future__ import annotations

import logging

import pytest
from numerapi import base_api

from {{ cookiecutter.package_name }}.data.download import ensure_files
from {{ cookiecutter.package_name }}.errors import WorkFailed

from standin import NumeraiStandIn


@pytest.fixture
def served(tmp_path, monkeypatch):
    """A stand-in serving two v5.2 files, with NUMERAI_API_URL pointing at it."""
    folder = tmp_path / "served" / "v5.2"
    folder.mkdir(parents=True)
    (folder / "features.json").write_text('{"feature_sets": {"small": ["feature_a"]}, "targets": ["target"]}')
    (folder / "live.parquet").write_bytes(bytes(range(256)) * 40)
    monkeypatch.setattr(base_api, "API_TOURNAMENT_URL", base_api.API_TOURNAMENT_URL)
    with NumeraiStandIn(data_dir=tmp_path / "served") as standin:
        monkeypatch.setenv("NUMERAI_API_URL", standin.url)
        yield standin, folder


def test_files_are_downloaded_once_and_then_reused(served, tmp_path, caplog):
    caplog.set_level(logging.INFO)
    standin, folder = served
    cache = tmp_path / "cache"

    paths = ensure_files(cache, "v5.2", ["features.json", "live.parquet"])

    for name, path in paths.items():
        assert path.read_bytes() == (folder / name).read_bytes()
    assert sorted(standin.file_gets) == ["v5.2/features.json", "v5.2/live.parquet"]
    assert standin.operations() == ["dataset", "dataset"]
    assert not any(entry["authorized"] for entry in standin.requests)  # datasets are public
    assert not list(cache.rglob("*.partial*"))

    again = ensure_files(cache, "v5.2", ["features.json", "live.parquet"])

    assert again == paths
    assert len(standin.file_gets) == 2 and standin.operations() == ["dataset", "dataset"]
    assert caplog.messages[-2:] == ["data: v5.2/features.json (cached)", "data: v5.2/live.parquet (cached)"]


def test_a_missing_dataset_fails_clearly_and_leaves_nothing_behind(served, tmp_path):
    cache = tmp_path / "cache"

    with pytest.raises(WorkFailed, match="could not download v5.2/train.parquet"):
        ensure_files(cache, "v5.2", ["train.parquet"])

    assert not (cache / "v5.2" / "train.parquet").exists()
