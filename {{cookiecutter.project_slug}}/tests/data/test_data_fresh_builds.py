"""Builds on Numerai's data use what Numerai has now: a second build downloads nothing, a week's new
validation eras are read again and change an `include_validation` spec's data stamp."""

from __future__ import annotations

import shutil

import pytest

from {{ cookiecutter.package_name }}.data.synthetic import Shape, write_dataset

from conftest import CURRENT, manifest_dict
from standin import NumeraiStandIn

VERSION = CURRENT.name  # the version a spec naming none trains on
SHAPE = Shape.of(CURRENT, train_eras=24, validation_eras=6, rows_per_era=150, live_rows=200, features_all=40,
                 features_medium=30, features_small=8)
SPEC = """
    slot: weekly_model
    runtime: "3.12"
    data: {feature_set: small, include_validation: true}
    model:
      type: sklearn
      estimator: sklearn.linear_model.Ridge
      params: {alpha: 1.0}
"""


@pytest.fixture
def numerai_data(tmp_path):
    served = write_dataset(tmp_path / "served" / VERSION, SHAPE)
    with NumeraiStandIn(data_dir=tmp_path / "served") as standin:
        yield standin, served


def build(cli, root, standin, cache):
    result = cli("build", "--no-check", cwd=root, env={"NUMERAI_API_URL": standin.url, "NUMERAI_DATA_DIR": str(cache)})
    assert result.returncode == 0, result.stdout + result.stderr
    [pickle_path] = (root / "dist").glob("weekly_model-*.pkl")
    stamp = manifest_dict(pickle_path)["data"]["stamp"]
    shutil.rmtree(root / "dist")
    return stamp, result.stdout + result.stderr


def test_builds_download_only_what_changed_on_numerai(numerai_data, make_repo, cli, tmp_path):
    standin, served = numerai_data
    root = make_repo({"weekly.yaml": SPEC})
    cache = tmp_path / "cache"

    first, _ = build(cli, root, standin, cache)
    downloaded = list(standin.file_gets)
    asked = len(standin.file_requests)
    assert f"{VERSION}/features.json" in downloaded

    second, log = build(cli, root, standin, cache)
    assert standin.file_gets == downloaded, "the second build downloaded something"
    probes = standin.file_requests[asked:]
    assert probes and all(entry["range"] == "bytes=0-0" and entry["bytes"] == 1 for entry in probes), probes
    assert second == first
    assert "(cached, current)" in log

    # A week later: validation.parquet has two more eras.
    grown = write_dataset(tmp_path / "grown", Shape(**{**SHAPE.__dict__, "validation_eras": 8}))
    shutil.copy(grown / "validation.parquet", served / "validation.parquet")
    before = len(standin.file_requests)

    third, log = build(cli, root, standin, cache)
    read_again = {entry["file"] for entry in standin.file_requests[before:] if entry["bytes"] > 1}
    assert read_again == {f"{VERSION}/validation.parquet"}, read_again
    assert third != first, "the data stamp did not change with the new eras"
    assert "validation.parquet changed" in log or "validation.parquet, " in log
