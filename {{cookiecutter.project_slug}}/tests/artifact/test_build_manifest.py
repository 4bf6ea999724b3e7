"""A build's pickle and manifest are written as one unit, both or neither; a pickle without its manifest
is no build to readers; a check's verdict is kept even when the pickle's folder cannot take it."""

from __future__ import annotations

import hashlib
import json

import pytest

from {{ cookiecutter.package_name }}.artifact.manifest import (
    Manifest,
    built_pickles,
    manifest_path,
    read_manifest,
    write_build,
    write_manifest,
)

PICKLE = b"pickled predict function"


def manifest_of(data: bytes) -> Manifest:
    return Manifest.model_validate({
        "slot": "gbm_model", "fingerprint": "abc123",
        "runtime": {"name": "py3.12", "python": "3.12", "image": "ghcr.io/numerai/x", "tag": "t"},
        "data": {"version": "v5.2"},
        "pickle": {"sha256": hashlib.sha256(data).hexdigest(), "bytes": len(data)},
    })


def test_a_build_writes_its_pickle_and_manifest_and_nothing_else(tmp_path):
    pickle_path = tmp_path / "dist" / "gbm_model-abc123.pkl"
    write_build(PICKLE, manifest_of(PICKLE), pickle_path)
    assert pickle_path.read_bytes() == PICKLE
    assert read_manifest(pickle_path).pickle.sha256 == hashlib.sha256(PICKLE).hexdigest()
    assert sorted(path.name for path in pickle_path.parent.iterdir()) == [
        "gbm_model-abc123.json", "gbm_model-abc123.pkl"]
    assert built_pickles(pickle_path.parent) == [pickle_path]


def test_when_the_manifest_cannot_be_written_no_pickle_is_left(tmp_path):
    pickle_path = tmp_path / "gbm_model-abc123.pkl"
    blocker = manifest_path(pickle_path)
    blocker.mkdir()  # the manifest's name is taken by a folder: its rename fails as a full disk would
    (blocker / "keep").write_text("x")
    with pytest.raises(OSError):
        write_build(PICKLE, manifest_of(PICKLE), pickle_path)
    assert sorted(path.name for path in tmp_path.iterdir()) == ["gbm_model-abc123.json"]  # the folder alone


def test_a_pickle_without_its_manifest_is_no_build(tmp_path):
    (tmp_path / "half-written.pkl").write_bytes(PICKLE)
    whole = tmp_path / "gbm_model-abc123.pkl"
    write_build(PICKLE, manifest_of(PICKLE), whole)
    assert built_pickles(tmp_path) == [whole]
    assert built_pickles(tmp_path / "nowhere") == []


def test_a_checks_verdict_is_kept_elsewhere_when_the_pickles_folder_refuses_it(tmp_path, caplog):
    pickle_path = tmp_path / "gbm_model-abc123.pkl"
    write_build(PICKLE, manifest_of(PICKLE), pickle_path)
    manifest_path(pickle_path).unlink()
    manifest_path(pickle_path).mkdir()  # the folder takes no manifest under that name any more
    caplog.set_level("INFO")
    written = write_manifest(manifest_of(PICKLE), pickle_path)
    assert written.parent != tmp_path and json.loads(written.read_text())["slot"] == "gbm_model"
    assert str(written) in caplog.text and str(manifest_path(pickle_path)) in caplog.text
