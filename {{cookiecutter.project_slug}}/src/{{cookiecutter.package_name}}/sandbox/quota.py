"""A disk quota on a confined program's scratch folder.

As root, the folder becomes a tmpfs of the quota's size: a write past it fails (ENOSPC) whatever writes
it. Otherwise the parent measures the folder while it waits (`used_bytes`) and stops the run past the
quota. Either way each file, the program's stdout included, is capped by RLIMIT_FSIZE (isolation.py).
"""

from __future__ import annotations

import ctypes
import os
from pathlib import Path

MNT_DETACH = 2
MS_NOSUID, MS_NODEV = 2, 4


def mount_tmpfs(folder: Path, size: int) -> bool:
    """`folder` as a tmpfs of `size` bytes (root only); False when it cannot be."""
    if size <= 0 or not hasattr(os, "geteuid") or os.geteuid() != 0:
        return False
    libc = ctypes.CDLL(None, use_errno=True)
    options = f"size={size},mode=0700".encode()
    result: int = libc.mount(b"tmpfs", os.fsencode(folder), b"tmpfs", ctypes.c_ulong(MS_NOSUID | MS_NODEV), options)
    return result == 0


def unmount(folder: Path) -> None:
    libc = ctypes.CDLL(None, use_errno=True)
    libc.umount2(os.fsencode(folder), MNT_DETACH)


def used_bytes(folder: Path) -> int:
    """What the files under `folder` hold, links not followed (a link to a big file counts nothing)."""
    total = 0
    for root, _folders, names in os.walk(folder, followlinks=False):
        for name in names:
            try:
                total += os.lstat(os.path.join(root, name)).st_blocks * 512
            except OSError:
                pass
    return total
