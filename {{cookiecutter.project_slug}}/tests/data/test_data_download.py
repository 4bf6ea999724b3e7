"""Datasets come through numerapi's `dataset` query and a file download; a cached file is used only
while the server still has the same file (its size and ETag, asked with a one-byte range request)."""

from __future__ import annotations

import json
import logging

import pytest

from {{ cookiecutter.package_name }}.data.download import ensure_files
from {{ cookiecutter.package_name }}.errors import WorkFailed
from {{ cookiecutter.package_name }}.settings import load_settings

from standin import NumeraiStandIn


@pytest.fixture
def served(tmp_path, monkeypatch):
    """A stand-in serving two v5.2 files, with NUMERAI_API_URL pointing at it."""
    folder = tmp_path / "served" / "v5.2"
    folder.mkdir(parents=True)
    (folder / "features.json").write_text('{"feature_sets": {"small": ["feature_a"]}, "targets": ["target"]}')
    (folder / "live.parquet").write_bytes(bytes(range(256)) * 40)
    with NumeraiStandIn(data_dir=tmp_path / "served") as standin:
        monkeypatch.setenv("NUMERAI_API_URL", standin.url)
        yield standin, folder


def test_files_are_downloaded_once_and_then_reused_while_current(served, tmp_path, caplog):
    caplog.set_level(logging.INFO)
    standin, folder = served
    cache = tmp_path / "cache"

    paths = ensure_files(cache, "v5.2", ["features.json", "live.parquet"], settings=load_settings())

    for name, path in paths.items():
        assert path.read_bytes() == (folder / name).read_bytes()
        record = json.loads(path.with_name(path.name + ".source.json").read_text())
        assert record["size"] == path.stat().st_size and record["etag"]
    assert sorted(standin.file_gets) == ["v5.2/features.json", "v5.2/live.parquet"]
    assert standin.operations() == ["dataset", "dataset"]
    assert not any(entry["authorized"] for entry in standin.requests)  # datasets are public
    assert sorted(path.name for path in (cache / "v5.2").iterdir()) == [
        "features.json", "features.json.source.json", "live.parquet", "live.parquet.source.json"]

    again = ensure_files(cache, "v5.2", ["features.json", "live.parquet"], settings=load_settings())

    assert again == paths
    assert len(standin.file_gets) == 2, "nothing downloaded again"
    # Numerai was asked (the URL, then the file's first byte), nothing more.
    assert standin.operations() == ["dataset"] * 4
    assert [(entry["range"], entry["status"], entry["bytes"]) for entry in standin.file_requests[2:]] == [
        ("bytes=0-0", 206, 1)] * 2
    assert caplog.messages[-2:] == ["data: v5.2/features.json (cached, current)",
                                    "data: v5.2/live.parquet (cached, current)"]


def test_a_file_changed_on_numerai_is_downloaded_again_and_only_that_one(served, tmp_path):
    standin, folder = served
    cache = tmp_path / "cache"
    ensure_files(cache, "v5.2", ["features.json", "live.parquet"], settings=load_settings())
    (folder / "live.parquet").write_bytes(bytes(range(256)) * 41)  # a new round's live file

    paths = ensure_files(cache, "v5.2", ["features.json", "live.parquet"], settings=load_settings())

    assert standin.file_gets == ["v5.2/features.json", "v5.2/live.parquet", "v5.2/live.parquet"]
    assert paths["live.parquet"].read_bytes() == (folder / "live.parquet").read_bytes()
    ensure_files(cache, "v5.2", ["live.parquet"], settings=load_settings())
    assert len(standin.file_gets) == 3


def test_a_same_sized_new_file_is_told_apart_by_its_etag(served, tmp_path):
    standin, folder = served
    cache = tmp_path / "cache"
    ensure_files(cache, "v5.2", ["live.parquet"], settings=load_settings())
    (folder / "live.parquet").write_bytes(bytes(reversed(range(256))) * 40)

    path = ensure_files(cache, "v5.2", ["live.parquet"], settings=load_settings())["live.parquet"]

    assert path.read_bytes() == (folder / "live.parquet").read_bytes()
    assert standin.file_gets == ["v5.2/live.parquet"] * 2


def test_a_server_without_ranges_is_asked_numerapis_way(served, tmp_path):
    """No 206: the size of a 200's Content-Length decides, and the body is never read."""
    standin, folder = served
    standin.refuse_ranges = True
    cache = tmp_path / "cache"
    ensure_files(cache, "v5.2", ["live.parquet"], settings=load_settings())
    ensure_files(cache, "v5.2", ["live.parquet"], settings=load_settings())
    assert len(standin.file_requests) == 2
    (folder / "live.parquet").write_bytes(bytes(range(256)) * 42)
    ensure_files(cache, "v5.2", ["live.parquet"], settings=load_settings())
    assert (cache / "v5.2" / "live.parquet").read_bytes() == (folder / "live.parquet").read_bytes()


def test_offline_the_cache_is_used_with_a_note(served, tmp_path, monkeypatch, caplog):
    standin, _folder = served
    cache = tmp_path / "cache"
    ensure_files(cache, "v5.2", ["live.parquet"], settings=load_settings())
    standin.stop()
    monkeypatch.setenv("NUMERAI_RETRY_ATTEMPTS", "1")
    caplog.set_level(logging.INFO)

    path = ensure_files(cache, "v5.2", ["live.parquet"], settings=load_settings())["live.parquet"]

    assert path.is_file()
    assert any("v5.2/live.parquet: Numerai could not be asked whether it changed" in message
               and "using the cached copy" in message for message in caplog.messages)
    with pytest.raises(WorkFailed, match="could not download v5.2/features.json"):
        ensure_files(cache, "v5.2", ["features.json"], settings=load_settings())


def test_a_missing_dataset_fails_clearly_and_leaves_nothing_behind(served, tmp_path):
    cache = tmp_path / "cache"

    with pytest.raises(WorkFailed, match="could not download v5.2/train.parquet"):
        ensure_files(cache, "v5.2", ["train.parquet"], settings=load_settings())

    assert not (cache / "v5.2" / "train.parquet").exists()
    assert not list(cache.rglob("*.tmp"))



def test_the_data_command_brings_current_files_into_the_cache(served, tmp_path, monkeypatch, capsys):
    from {{ cookiecutter.package_name }}.main import main

    standin, folder = served
    root = tmp_path / "repo"
    (root / "models").mkdir(parents=True)
    monkeypatch.setenv("NUMERAI_DATA_DIR", str(tmp_path / "cache"))

    assert main(["data", "--repo", str(root), "v5.2", "live.parquet"]) == 0
    path = tmp_path / "cache" / "v5.2" / "live.parquet"
    assert capsys.readouterr().out.strip() == str(path)
    assert path.read_bytes() == (folder / "live.parquet").read_bytes()
    assert main(["data", "--repo", str(root), "v5.2", "live.parquet"]) == 0
    assert standin.file_gets == ["v5.2/live.parquet"]

    assert main(["data", "--repo", str(root), "v5.2", "../secrets"]) == 2
    assert "FILE '../secrets' ==> a plain name" in capsys.readouterr().err
