"""The parent reads nothing of scratch through a link, a FIFO or a folder replaced by a link."""

from __future__ import annotations

import os

import pytest

from {{ cookiecutter.package_name }}.sandbox import scratch


def test_a_regular_file_is_read_up_to_its_cap(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "file.txt").write_bytes(b"0123456789")
    assert scratch.read_regular(tmp_path, "a/file.txt", 4) == b"0123"
    assert scratch.read_regular(tmp_path, "a/file.txt", 4, tail=True) == b"6789"
    assert scratch.size_of(tmp_path, "a/file.txt") == 10


def test_a_link_to_a_file_outside_is_not_followed(tmp_path):
    (tmp_path / "output.txt").symlink_to("/proc/self/environ")
    with pytest.raises(scratch.Untrusted):
        scratch.read_regular(tmp_path, "output.txt", 100)
    assert scratch.size_of(tmp_path, "output.txt") is None


def test_a_folder_replaced_by_a_link_is_not_followed(tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "file.txt").write_text("outside")
    root = tmp_path / "scratch"
    root.mkdir()
    (root / "submission").symlink_to(outside)
    with pytest.raises(scratch.Untrusted):
        scratch.copy_out(root, "submission/file.txt", tmp_path / "copy", 100)
    assert not (tmp_path / "copy").exists()


def test_a_fifo_is_not_read(tmp_path):
    os.mkfifo(tmp_path / "events.jsonl")
    with pytest.raises(scratch.Untrusted, match="not a regular file"):
        scratch.read_regular(tmp_path, "events.jsonl", 100)


def test_a_file_over_the_cap_is_not_copied(tmp_path):
    (tmp_path / "big").write_bytes(b"x" * 101)
    with pytest.raises(scratch.Untrusted, match="more than 100"):
        scratch.copy_out(tmp_path, "big", tmp_path / "copy", 100)
