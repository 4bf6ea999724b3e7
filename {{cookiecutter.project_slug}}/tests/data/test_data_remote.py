"""Only the columns a build needs are read of a remote parquet file, by HTTP range requests; what was
read is cached and reused while the file is unchanged; a server refusing ranges gets a whole download."""

from __future__ import annotations

import logging
import shutil

import pandas as pd
import pytest

from {{ cookiecutter.package_name }}.data.read import feature_list, read_eras, read_frame
from {{ cookiecutter.package_name }}.data.remote import ensure_columns, read_remote_columns
from {{ cookiecutter.package_name }}.data.synthetic import Shape, write_dataset
from {{ cookiecutter.package_name }}.numerai.datasets import RangesRefused, public_api
from {{ cookiecutter.package_name }}.settings import load_settings

from conftest import CURRENT
from standin import NumeraiStandIn

VERSION = "v5.2"
TRAIN = f"{VERSION}/train.parquet"
# Numerai's columns (every feature and target of the current version; 16-character ids) in 40,000 rows:
# a file's fixed costs (its footer lists every column) weigh as in a real file of a few hundred MB.
WIDE = Shape.of(CURRENT, 1.0, train_eras=20, validation_eras=2, rows_per_era=2000, live_rows=100)


@pytest.fixture(scope="module")
def wide_dataset(tmp_path_factory):
    folder = tmp_path_factory.mktemp("wide") / VERSION
    write_dataset(folder, WIDE)
    return folder


@pytest.fixture
def served(tmp_path, monkeypatch, wide_dataset):
    """A stand-in serving a copy of the wide dataset, NUMERAI_API_URL pointing at it."""
    folder = tmp_path / "served" / VERSION
    shutil.copytree(wide_dataset, folder)
    with NumeraiStandIn(data_dir=tmp_path / "served") as standin:
        monkeypatch.setenv("NUMERAI_API_URL", standin.url)
        yield standin, folder


def small_columns(folder) -> tuple[list[str], list[str]]:
    features = feature_list(folder / "features.json", "small")
    return features, [*features, "era", "target"]


def test_the_projected_read_returns_the_frame_a_whole_file_read_does(served, tmp_path):
    standin, folder = served
    features, columns = small_columns(folder)

    path = ensure_columns(tmp_path / "cache", VERSION, "train.parquet", columns, settings=load_settings())

    assert path.parent.name == "columns" and not (tmp_path / "cache" / TRAIN).exists()
    pd.testing.assert_frame_equal(read_frame(path, features, ["era", "target"]),
                                  read_frame(folder / "train.parquet", features, ["era", "target"]))
    eras = sorted(read_eras(folder / "train.parquet"))[::3]
    pd.testing.assert_frame_equal(read_frame(path, features, ["era"], eras),
                                  read_frame(folder / "train.parquet", features, ["era"], eras))
    assert standin.file_gets == [], "nothing was downloaded whole"
    assert all(entry["status"] == 206 for entry in standin.file_requests)


def test_a_small_set_read_transfers_under_a_tenth_of_a_wide_file(served, tmp_path):
    standin, folder = served
    _features, columns = small_columns(folder)
    size = (folder / "train.parquet").stat().st_size

    transfer = read_remote_columns(f"{standin.url}/files/{TRAIN}", columns, tmp_path / "train-small.parquet",
                                   api=public_api(load_settings()))

    assert transfer is not None and transfer.file_size == size
    assert transfer.transferred == standin.file_bytes(TRAIN) - 1  # all but the probe's one byte
    assert transfer.fraction < 0.10, f"{transfer.fraction:.1%} of the file transferred"


def test_the_cache_is_reused_for_the_same_and_fewer_columns(served, tmp_path):
    standin, folder = served
    features, columns = small_columns(folder)
    cache = tmp_path / "cache"
    first = ensure_columns(cache, VERSION, "train.parquet", columns, settings=load_settings())
    sent = standin.file_bytes()

    assert ensure_columns(cache, VERSION, "train.parquet", columns, settings=load_settings()) == first
    assert ensure_columns(cache, VERSION, "train.parquet", [*features[:3], "era"], settings=load_settings()) == first

    assert standin.file_bytes() - sent == 2, "only the two probes' single bytes"


def test_a_changed_file_is_read_again_and_the_old_columns_dropped(served, tmp_path):
    standin, folder = served
    features, columns = small_columns(folder)
    cache = tmp_path / "cache"
    first = ensure_columns(cache, VERSION, "validation.parquet", columns, settings=load_settings())
    assert len(read_eras(first)) == 2
    narrow = {**WIDE.__dict__, "features_all": 60, "features_medium": 50, "rows_per_era": 200}
    grown = write_dataset(tmp_path / "grown", Shape(**{**narrow, "validation_eras": 6}))
    shutil.copy(grown / "validation.parquet", folder / "validation.parquet")

    again = ensure_columns(cache, VERSION, "validation.parquet", columns, settings=load_settings())

    assert len(read_eras(again)) == 6 and len(read_eras(folder / "validation.parquet")) == 6
    assert sorted(path.name for path in (cache / VERSION / "columns").iterdir()) == sorted(
        [again.name, again.with_suffix(".json").name])
    assert first == again  # the same columns: the same name, now holding the new file's rows


def test_a_server_refusing_ranges_gets_a_whole_download(served, tmp_path, caplog):
    standin, folder = served
    standin.refuse_ranges = True
    features, columns = small_columns(folder)
    caplog.set_level(logging.INFO)

    path = ensure_columns(tmp_path / "cache", VERSION, "train.parquet", columns, settings=load_settings())

    assert path == tmp_path / "cache" / TRAIN
    assert path.read_bytes() == (folder / "train.parquet").read_bytes()
    assert standin.file_gets == [TRAIN, TRAIN], "the probe (its body unread), then the download"
    assert "does not serve byte ranges" in caplog.text
    with pytest.raises(RangesRefused):
        read_remote_columns(f"{standin.url}/files/{TRAIN}", columns, tmp_path / "x.parquet",
                                   api=public_api(load_settings()))
    # A whole file, cached and current, serves any columns.
    assert ensure_columns(tmp_path / "cache", VERSION, "train.parquet", columns[:2], settings=load_settings()) == path


def test_most_of_the_columns_are_downloaded_whole(served, tmp_path):
    standin, folder = served
    features = feature_list(folder / "features.json", "all")

    path = ensure_columns(tmp_path / "cache", VERSION, "train.parquet", [*features, "era"], settings=load_settings())

    assert path == tmp_path / "cache" / TRAIN and standin.file_gets == [TRAIN]


def test_offline_the_cached_columns_are_used(served, tmp_path, monkeypatch, caplog):
    standin, folder = served
    _features, columns = small_columns(folder)
    first = ensure_columns(tmp_path / "cache", VERSION, "train.parquet", columns, settings=load_settings())
    standin.stop()
    monkeypatch.setenv("NUMERAI_RETRY_ATTEMPTS", "1")
    caplog.set_level(logging.INFO)

    assert ensure_columns(tmp_path / "cache", VERSION, "train.parquet", columns, settings=load_settings()) == first
    assert "Numerai could not be asked whether it changed" in caplog.text


def test_scattered_columns_read_in_parallel_ranges_are_the_whole_files(served, tmp_path):
    """Numerai's small set is spread over the file: chunks far apart, fetched a few at a time."""
    standin, folder = served
    features = feature_list(folder / "features.json", "all")[::97]

    transfer = read_remote_columns(f"{standin.url}/files/{TRAIN}", [*features, "era"], tmp_path / "scattered.parquet",
                                   api=public_api(load_settings()))

    assert transfer is not None and transfer.requests > len(features) // 2
    pd.testing.assert_frame_equal(read_frame(transfer.path, features, ["era"]),
                                  read_frame(folder / "train.parquet", features, ["era"]))
