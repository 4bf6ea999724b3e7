"""The bubblewrap (`bwrap`) command line that confines untrusted code: a check's pickle or a build's training.

bubblewrap is the sandbox Flatpak runs every application in: small, audited, packaged by Debian and
Ubuntu (`apt-get install bubblewrap`), and it needs no daemon and no privilege where the kernel lets
users make user namespaces. What a confined program gets (`arguments`):

- a new, empty root holding read-only binds of what an interpreter needs (/usr, /lib*, /bin, /etc's
  loader, locale, time zone and TLS files, the Python prefix and its environment, the files a run
  reads) and nothing else: no /run, /var, /home, /sys, so no socket of the host (docker.sock, D-Bus,
  ssh-agent) is there to connect to; its writable folders are binds the caller names, and tmpfs
  (size-limited where bwrap has --size) over /tmp and /dev/shm;
- every namespace of its own (user, PID, network unless allowed, IPC, UTS, cgroup, mount), the user
  nobody (65534) inside with no capability, a new /proc with /proc/sys, /proc/sysrq-trigger and the
  other kernel interfaces bound read-only or masked (as root outside, its uid is root's, so only a
  read-only mount stops it writing /proc/sys/kernel/core_pattern), a minimal /dev with its own devpts;
- no further user namespace (--disable-userns: nothing can remount /proc or a cgroup file system to
  lift its limits), a new session (no TIOCSTI into the caller's terminal), and death with its parent.
"""

from __future__ import annotations

import functools
import os
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

NOBODY = "65534"
# The system folders an interpreter loads from; a symlink on the host (merged /usr) stays one.
SYSTEM = ("/usr", "/lib", "/lib64", "/lib32", "/libx32", "/bin", "/sbin")
# Of /etc: the loader's cache, names, locale, time zone, TLS roots and name resolution (training downloads).
ETC = ("ld.so.cache", "ld.so.conf", "ld.so.conf.d", "passwd", "group", "nsswitch.conf", "hosts", "resolv.conf",
       "localtime", "timezone", "locale.alias", "ssl", "ca-certificates", "pki", "mime.types")
# /proc: read-only (a write there changes the host) and masked (what the host's kernel leaks), as Docker does.
PROC_READ_ONLY = ("sys", "sysrq-trigger", "bus", "fs", "irq")
PROC_MASKED = ("kcore", "keys", "timer_list", "sched_debug", "latency_stats", "kallsyms", "kpagecount",
               "kpageflags", "kpagecgroup", "kmsg", "config.gz")
PROC_MASKED_FOLDERS = ("acpi", "scsi", "asound", "driver")


@dataclass(frozen=True)
class Confinement:
    """What one confined program may see: paths read-only, paths writable, its folder, its network."""

    readable: tuple[Path, ...]
    writable: tuple[Path, ...]
    folder: Path
    network: bool = False
    tmpfs_bytes: int = 0  # size of /tmp and /dev/shm (0: bwrap's default, memory-limited by cgroup)
    extra: tuple[str, ...] = field(default=())


@functools.cache
def features(bwrap: str) -> frozenset[str]:
    """The options this bwrap knows (--disable-userns: 0.8, --size: 0.9 or a backport)."""
    try:
        text = subprocess.run([bwrap, "--help"], capture_output=True, text=True, timeout=30).stdout
    except (OSError, subprocess.TimeoutExpired):
        return frozenset()
    return frozenset(word for word in text.split() if word.startswith("--"))


def interpreter_paths(python: Path) -> list[Path]:
    """The folders a Python needs: its environment (a venv) and the installation it was made from."""
    python = Path(python).absolute()
    real = python.resolve()
    found = [real.parent.parent]
    if python.parent.name == "bin":
        found.append(python.parent.parent)
    config = python.parent.parent / "pyvenv.cfg"
    if config.is_file():
        for line in config.read_text(encoding="utf-8", errors="replace").splitlines():
            key, _, value = line.partition("=")
            if key.strip() == "home" and value.strip():
                found.append(Path(value.strip()).resolve().parent)
    return found


def system_arguments() -> list[str]:
    arguments = []
    for path in SYSTEM:
        if os.path.islink(path):
            arguments += ["--symlink", os.readlink(path), path]
        elif os.path.isdir(path):
            arguments += ["--ro-bind", path, path]
    for name in ETC:
        if os.path.exists(f"/etc/{name}"):
            arguments += ["--ro-bind", f"/etc/{name}", f"/etc/{name}"]
    return arguments


def proc_arguments() -> list[str]:
    """A new /proc whose kernel interfaces are read-only or masked (binds of the host's, read-only)."""
    arguments = ["--proc", "/proc"]
    for name in PROC_READ_ONLY:
        if os.path.exists(f"/proc/{name}"):
            arguments += ["--ro-bind", f"/proc/{name}", f"/proc/{name}"]
    for name in PROC_MASKED:
        if os.path.isfile(f"/proc/{name}"):
            arguments += ["--ro-bind", "/dev/null", f"/proc/{name}"]
    for name in PROC_MASKED_FOLDERS:
        if os.path.isdir(f"/proc/{name}"):
            arguments += ["--tmpfs", f"/proc/{name}", "--remount-ro", f"/proc/{name}"]
    return arguments


def tmpfs(path: str, size: int, known: frozenset[str]) -> list[str]:
    return [*(["--size", str(size)] if size and "--size" in known else []), "--tmpfs", path]


def binds(readable: tuple[Path, ...], writable: tuple[Path, ...]) -> list[str]:
    """Each path bound at its own place, nested paths after their parents (so that none is hidden);
    a path both readable and writable is writable."""
    options = {str(Path(path).absolute()): "--ro-bind" for path in readable}
    options.update({str(Path(path).absolute()): "--bind" for path in writable})
    ordered = sorted(options, key=lambda text: (text.rstrip("/").count("/"), text))
    return [argument for path in ordered for argument in (options[path], path, path)]


def arguments(bwrap: str, confinement: Confinement) -> list[str]:
    """bwrap and its options for `confinement`, up to and including `--`."""
    known = features(bwrap)
    return [bwrap, "--unshare-all", *(["--share-net"] if confinement.network else []),
            "--unshare-user", "--uid", NOBODY, "--gid", NOBODY, "--disable-userns", "--cap-drop", "ALL",
            "--die-with-parent", "--new-session", "--hostname", "sandbox",
            *system_arguments(), *proc_arguments(), "--dev", "/dev",
            *tmpfs("/tmp", confinement.tmpfs_bytes, known), *tmpfs("/dev/shm", confinement.tmpfs_bytes, known),
            *binds(confinement.readable, confinement.writable),
            *confinement.extra, "--chdir", str(confinement.folder), "--"]


def missing_features(bwrap: str) -> list[str]:
    """What this bwrap lacks of what `arguments` needs."""
    return sorted({"--disable-userns", "--unshare-all", "--die-with-parent"} - features(bwrap))
