"""The sandbox bubblewrap makes, tried directly with this interpreter: as root outside, the program inside
can change nothing of the host's kernel, reach no socket or terminal of the host, make no namespace."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from {{ cookiecutter.package_name }}.sandbox import bubblewrap, isolation

BWRAP = shutil.which("bwrap")
WORKS = BWRAP is not None and isolation.sandbox_mode(BWRAP, sys.executable).name == isolation.NAMESPACES
needs_bwrap = pytest.mark.skipif(not WORKS, reason="bubblewrap cannot make a sandbox here")


def inside(tmp_path: Path, code: str, *readable: Path) -> subprocess.CompletedProcess:
    confinement = bubblewrap.Confinement((*bubblewrap.interpreter_paths(Path(sys.executable)), *readable),
                                         (tmp_path,), tmp_path)
    return subprocess.run([*bubblewrap.arguments(BWRAP, confinement), sys.executable, "-I", "-c", code],
                          capture_output=True, text=True, timeout=60)


def test_nested_binds_come_after_their_parents_and_writable_wins():
    arguments = bubblewrap.binds((Path("/a/b"), Path("/a")), (Path("/a/b/c"), Path("/a/b")))
    assert arguments == ["--ro-bind", "/a", "/a", "--bind", "/a/b", "/a/b", "--bind", "/a/b/c", "/a/b/c"]


@needs_bwrap
def test_nobody_inside_and_no_capability(tmp_path):
    result = inside(tmp_path, "import os; print(os.getuid(), open('/proc/self/status').read().split('CapEff:')[1]"
                              ".split()[0])")
    assert result.stdout.split() == ["65534", "0000000000000000"], result.stderr


@needs_bwrap
@pytest.mark.parametrize("path", ["/proc/sys/kernel/domainname", "/proc/sys/kernel/core_pattern",
                                  "/proc/sys/kernel/hostname", "/proc/sysrq-trigger"])
def test_no_kernel_setting_opens_for_writing(tmp_path, path):
    if not os.path.exists(path):
        pytest.skip(f"this kernel has no {path}")
    result = inside(tmp_path, f"open({path!r}, 'r+b' if {path!r} != '/proc/sysrq-trigger' else 'wb')")
    assert result.returncode != 0 and ("Read-only" in result.stderr or "Permission" in result.stderr), result.stderr


@needs_bwrap
def test_no_nested_user_namespace(tmp_path):
    result = inside(tmp_path, "import os; os.unshare(os.CLONE_NEWUSER)")
    assert result.returncode != 0, "a nested user namespace was made"


@needs_bwrap
def test_the_hosts_sockets_and_folders_are_not_there(tmp_path):
    outside = tmp_path.parent / f"{tmp_path.name}.sock"
    listener = socket.socket(socket.AF_UNIX)
    listener.bind(str(outside))
    try:
        code = (f"import os, socket; s = socket.socket(socket.AF_UNIX); print([os.path.exists(p) for p in "
                f"('/run', '/var', '/home', '/sys')]); s.connect({str(outside)!r})")
        result = inside(tmp_path, code)
    finally:
        listener.close()
        outside.unlink()
    assert result.stdout.strip() == "[False, False, False, False]", result.stdout + result.stderr
    assert "FileNotFoundError" in result.stderr


@needs_bwrap
def test_a_private_devpts(tmp_path):
    main, terminal = os.openpty()
    try:
        result = inside(tmp_path, f"open({os.ttyname(terminal)!r}, 'w').write('x')")
    finally:
        os.close(main)
        os.close(terminal)
    # Its own devpts has no terminal 0 (and refuses to make one).
    assert result.returncode != 0 and ("FileNotFoundError" in result.stderr or "PermissionError" in result.stderr)


@needs_bwrap
def test_the_working_folder_is_writable_and_the_rest_read_only(tmp_path):
    readable = tmp_path.parent / f"{tmp_path.name}-readable"
    readable.mkdir()
    code = f"open('here.txt', 'w').write('x'); open({str(readable / 'x')!r}, 'w')"
    result = inside(tmp_path, code, readable)
    assert (tmp_path / "here.txt").read_text() == "x"
    assert "Read-only file system" in result.stderr and not (readable / "x").exists()
