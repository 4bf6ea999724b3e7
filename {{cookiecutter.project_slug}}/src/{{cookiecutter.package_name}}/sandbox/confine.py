"""Inside a check's namespaces, before the harness starts: make the file system read-only, then give
up every privilege, then run the harness (child.py) in this same process.

A standalone script, like child.py: the image's Python runs it by path with -I, as the first process
of the check's own user, PID, mount and network namespaces (sandbox.py starts it through `unshare`).
There it holds capabilities over those namespaces only, and uses them once:

- every mount becomes read-only (the repository, dist/, the check environments, the data cache,
  /tmp), except the run's scratch folder, bound over itself, and a fresh /dev/shm;
- any other mount of a proc file system is covered, so that only this namespace's /proc (which the
  `unshare --mount-proc` mounted) shows processes: no other process's environment is readable;
- then every capability is dropped for good (bounding set, ambient, effective, permitted,
  inheritable, and no_new_privs), so that nothing the pickle runs can undo a mount;
- at most `--max-processes` tasks (RLIMIT_NPROC, counted in this user namespace).

`--probe` does all of this and exits 0 instead of starting the harness: sandbox.py's test of
whether this machine allows it. `--training` (a build's training child: isolation.wrap_training) only
covers the other proc mounts and drops every capability: the file system stays writable (the build
writes dist/ and the data cache) and processes unlimited. Any failure exits 125 with one line on stderr.
"""

from __future__ import annotations

import ctypes
import os
import resource
import sys
from typing import Any

MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC = 1, 2, 4, 8
MS_REMOUNT, MS_NOATIME, MS_NODIRATIME, MS_BIND, MS_REC = 32, 1024, 2048, 4096, 16384
MS_PRIVATE, MS_RELATIME = 1 << 18, 1 << 21
# statvfs flags of a mount -> the mount flags a remount must keep (a user namespace may not drop them)
KEPT_FLAGS = ((os.ST_NOSUID, MS_NOSUID), (os.ST_NODEV, MS_NODEV), (os.ST_NOEXEC, MS_NOEXEC),
              (os.ST_NOATIME, MS_NOATIME), (os.ST_NODIRATIME, MS_NODIRATIME), (os.ST_RELATIME, MS_RELATIME))
PR_CAPBSET_DROP, PR_SET_NO_NEW_PRIVS, PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL = 24, 38, 47, 4
CAPABILITY_VERSION_3 = 0x20080522
SHM_SIZE = "size=64m"  # docker's default /dev/shm
FAILED = 125

libc = ctypes.CDLL(None, use_errno=True)


class Refused(Exception):
    """The namespaces do not allow what a confined run needs."""


def call(function: Any, *arguments: Any) -> None:
    if function(*arguments) != 0:
        number = ctypes.get_errno()
        raise Refused(f"{function.__name__}{arguments[:2]}: {os.strerror(number)}")


def mount(source: str | None, target: str, kind: str | None, flags: int, data: str | None = None) -> None:
    def encoded(text: str | None) -> bytes | None:
        return None if text is None else os.fsencode(text)

    call(libc.mount, encoded(source), encoded(target), encoded(kind), ctypes.c_ulong(flags), encoded(data))


def unescape(field: str) -> str:
    """/proc/self/mountinfo writes space, tab, newline and backslash as octal escapes."""
    for escaped, plain in (("\\040", " "), ("\\011", "\t"), ("\\012", "\n"), ("\\134", "\\")):
        field = field.replace(escaped, plain)
    return field


def mounts() -> list[tuple[str, str]]:
    """(mount point, file system type) of every mount this namespace has, in mount order."""
    found = []
    with open("/proc/self/mountinfo", encoding="utf-8", errors="surrogateescape") as table:
        for line in table:
            fields, _, rest = line.partition(" - ")
            found.append((unescape(fields.split()[4]), rest.split()[0]))
    return found


def kept_flags(path: str) -> int:
    flags = os.statvfs(path).f_flag
    return sum(mount_flag for statvfs_flag, mount_flag in KEPT_FLAGS if flags & statvfs_flag)


def inside(path: str, folder: str) -> bool:
    return path == folder or path.startswith(folder.rstrip("/") + "/")


def cover(point: str) -> None:
    """Hide a mount of another proc (e.g. a container's): it would show the caller's processes."""
    mount("none", point, "tmpfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, "size=4k")


def own_proc_only() -> None:
    """Every proc mount but this namespace's /proc covered; the file system stays as it was."""
    mount(None, "/", None, MS_REC | MS_PRIVATE)  # nothing done here reaches the caller's namespace
    for point, kind in mounts():
        if kind == "proc" and not inside(point, "/proc") and os.path.isdir(point):
            cover(point)


def read_only_everywhere(writable: str) -> None:
    """Every mount read-only but `writable` (bound over itself first) and this namespace's /proc."""
    mount(None, "/", None, MS_REC | MS_PRIVATE)  # nothing done here reaches the caller's namespace
    mount(writable, writable, None, MS_BIND | MS_REC)
    for point, kind in mounts():
        if inside(point, writable) or inside(point, "/proc") or not os.path.isdir(point):
            continue
        if kind == "proc":
            cover(point)
            continue
        try:
            mount(None, point, None, MS_REMOUNT | MS_BIND | MS_RDONLY | kept_flags(point))
        except (Refused, OSError):
            if point == "/":
                raise
    if os.path.isdir("/dev/shm"):
        mount("none", "/dev/shm", "tmpfs", MS_NOSUID | MS_NODEV, SHM_SIZE)
    if not os.statvfs("/").f_flag & os.ST_RDONLY:
        raise Refused("/ is still writable")


def drop_privileges() -> None:
    """No capability now or after any exec: nothing can remount, mount or leave the namespaces."""
    call(libc.prctl, PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)
    libc.prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0)
    for capability in range(64):
        libc.prctl(PR_CAPBSET_DROP, capability, 0, 0, 0)  # EINVAL past the last one the kernel knows
    header = (ctypes.c_uint32 * 2)(CAPABILITY_VERSION_3, 0)
    nothing = (ctypes.c_uint32 * 6)()
    call(libc.capset, header, nothing)


def confine(writable: str | None, max_processes: int) -> None:
    """`writable` None: a training child, whose file system stays writable."""
    if writable is None:
        own_proc_only()
    else:
        read_only_everywhere(writable)
    if max_processes > 0:
        resource.setrlimit(resource.RLIMIT_NPROC, (max_processes, max_processes))
    drop_privileges()


def main(argv: list[str]) -> int:
    """confine.py [--probe] SCRATCH MAX_PROCESSES [-- COMMAND ...] | confine.py --training -- COMMAND ..."""
    probe = argv[:1] == ["--probe"]
    if argv[:1] == ["--training"]:
        writable, max_processes, command = None, 0, argv[2:]
    else:
        arguments = argv[1:] if probe else argv
        writable, max_processes, command = arguments[0], int(arguments[1]), arguments[3:]
    try:
        confine(writable, max_processes)
    except (Refused, OSError, ValueError) as error:
        print(f"numerai-deploy check: could not confine the run: {error}", file=sys.stderr)
        return FAILED
    if probe:
        return 0
    os.execv(command[0], command)
    return FAILED


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
