"""The scratch folder's quota: a tmpfs of its size as root, else the parent's measure of it."""

from __future__ import annotations

import os

import pytest

from {{ cookiecutter.package_name }}.sandbox import quota


def test_links_count_nothing(tmp_path):
    (tmp_path / "file").write_bytes(b"x" * 8192)
    (tmp_path / "link").symlink_to("/usr/bin")
    assert 8192 <= quota.used_bytes(tmp_path) < 3 * 8192


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="only root mounts a tmpfs")
def test_as_root_a_write_past_the_quota_fails(tmp_path):
    assert quota.mount_tmpfs(tmp_path, 2**20)
    try:
        with pytest.raises(OSError, match="No space left"), open(tmp_path / "fill", "wb") as stream:
            stream.write(b"x" * 2 * 2**20)
    finally:
        quota.unmount(tmp_path)
    assert not (tmp_path / "fill").exists(), "unmounted: the folder is as it was"
