"""The parent's reads of what a confined program leaves in its scratch folder, trusting none of it.

The program could have replaced any file or folder there by a link (to /proc/self/environ, to a file
outside), a FIFO or a device. So each path is opened component by component relative to a folder
descriptor, never following a link (O_NOFOLLOW), and only a regular file (fstat) is read, up to a cap.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

FOLDER_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC
FILE_FLAGS = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC


class Untrusted(Exception):
    """A path in scratch that is missing, a link, or not a regular file."""


def open_regular(root: Path, relative: str) -> int:
    """A descriptor of the regular file `relative` under `root`, no link followed on the way; Untrusted else."""
    *folders, name = Path(relative).parts
    descriptor = os.open(root, FOLDER_FLAGS)
    try:
        for folder in folders:
            inner = os.open(folder, FOLDER_FLAGS, dir_fd=descriptor)
            os.close(descriptor)
            descriptor = inner
        file = os.open(name, FILE_FLAGS, dir_fd=descriptor)
    except OSError as error:
        raise Untrusted(f"{relative}: {error.strerror}") from None
    finally:
        os.close(descriptor)
    if not stat.S_ISREG(os.fstat(file).st_mode):
        os.close(file)
        raise Untrusted(f"{relative}: not a regular file")
    return file


def size_of(root: Path, relative: str) -> int | None:
    """The size of the regular file `relative`, None when there is none (or something else is there)."""
    try:
        file = open_regular(root, relative)
    except Untrusted:
        return None
    try:
        return os.fstat(file).st_size
    finally:
        os.close(file)


def read_regular(root: Path, relative: str, limit: int, *, tail: bool = False) -> bytes:
    """At most `limit` bytes of the regular file `relative` under `root` (its last ones with `tail`)."""
    file = open_regular(root, relative)
    try:
        if tail:
            os.lseek(file, max(0, os.fstat(file).st_size - limit), os.SEEK_SET)
        chunks, left = [], limit
        while left > 0:
            chunk = os.read(file, min(left, 1 << 20))
            if not chunk:
                break
            chunks.append(chunk)
            left -= len(chunk)
        return b"".join(chunks)
    finally:
        os.close(file)


def copy_out(root: Path, relative: str, target: Path, limit: int) -> Path:
    """The regular file `relative` copied to `target` (outside scratch), when it holds at most `limit` bytes."""
    size = size_of(root, relative)
    if size is None:
        raise Untrusted(f"{relative}: missing, a link or not a regular file")
    if size > limit:
        raise Untrusted(f"{relative}: {size} bytes, more than {limit}")
    Path(target).write_bytes(read_regular(root, relative, limit))
    return Path(target)
