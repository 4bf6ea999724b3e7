"""Which isolation this machine gives untrusted code (a check's pickle, a build's training), and the
command that starts it there.

"namespaces" (Linux with bubblewrap, `bwrap` 0.8 or later, where it can make a user namespace): the
program runs in a sandbox made for untrusted code (bubblewrap.py): nobody inside, no capability, its own
PID, network, IPC, UTS, cgroup and mount namespaces, a new root with only what the interpreter needs,
read-only (no socket of the host reachable), /proc/sys and the kernel's other interfaces read-only,
its own /dev and devpts, no nested user namespace, death with its parent. We chose bubblewrap over
more code of our own (and over nsjail) because it is what Flatpak confines every application with:
small, audited, packaged by Debian and Ubuntu and installable on GitHub's runners in seconds.

"process group only" (no bwrap, or no user namespaces): the run gets its own session and process
group, and this process adopts whatever leaves it (tree.py); the pickle's own Python is kept off the
network by an audit hook, but a child process or native code is not, and other processes of this user
stay visible. NUMERAI_CHECK_ISOLATION=namespaces refuses to run there (exit 2, saying how to fix it).

Either way the memory and process limits hold for the whole tree, set from outside: by cgroup where
one is writable (cgroups.py), else by the parent's watch of the tree (tree.py); and every file the
program writes is capped in size (RLIMIT_FSIZE), its scratch folder by a quota (quota.py).
"""

from __future__ import annotations

import functools
import os
import resource
import shutil
import subprocess
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ..errors import UsageError
from ..logs import get_logger
from ..settings import variable
from .bubblewrap import Confinement, arguments, interpreter_paths, missing_features
from .cgroups import TreeGroups

log = get_logger(__name__)

NAMESPACES, PROCESS_GROUP = "namespaces", "process group only"
# Joins the run's cgroups before anything else starts, so that no child can be born outside them.
# (PWD: the shell would add it to the run's allow-listed environment.)
JOIN_CGROUPS = 'unset PWD OLDPWD; while [ "$1" != -- ]; do echo $$ > "$1" || exit 125; shift; done; shift; exec "$@"'
PROBE_SECONDS = 30
INSTALL = "install bubblewrap (`sudo apt-get install -y bubblewrap`)"


@dataclass(frozen=True)
class Mode:
    name: str  # NAMESPACES or PROCESS_GROUP
    bwrap: str = ""  # the bwrap that works (namespaces only)
    reason: str = ""  # why not namespaces


def probe(bwrap: str, python: str) -> str:
    """'' when bwrap starts `python` in a sandbox here, else why not."""
    with tempfile.TemporaryDirectory(prefix="numerai-sandbox-probe-") as scratch:
        confinement = Confinement(tuple(interpreter_paths(Path(python))), (Path(scratch),), Path(scratch))
        try:
            result = subprocess.run([*arguments(bwrap, confinement), python, "-I", "-c", "pass"], capture_output=True,
                                    text=True, timeout=PROBE_SECONDS, stdin=subprocess.DEVNULL)
        except (OSError, subprocess.TimeoutExpired) as error:
            return str(error)
    if result.returncode == 0:
        return ""
    return (result.stderr.strip().splitlines() or [f"exit code {result.returncode}"])[-1]


@functools.cache
def sandbox_mode(bwrap: str | None, python: str) -> Mode:
    if bwrap is None:
        return Mode(PROCESS_GROUP, reason=f"bubblewrap (`bwrap`) is not installed: {INSTALL}")
    missing = missing_features(bwrap)
    if missing:
        return Mode(PROCESS_GROUP, reason=f"this bwrap lacks {', '.join(missing)} (bubblewrap 0.8 or later needed)")
    reason = probe(bwrap, python)
    return Mode(NAMESPACES, bwrap) if not reason else Mode(PROCESS_GROUP, reason=f"bwrap: {reason}")


def detect(python: Path, *, required: bool) -> Mode:
    """The isolation a run with `python` gets on this machine (tested once per process); a UsageError
    when the settings require namespaces and this machine cannot make them."""
    if not hasattr(os, "geteuid") or not Path("/proc/self/ns/pid").exists():
        mode = Mode(PROCESS_GROUP, reason="this system has no Linux namespaces")
    else:
        mode = sandbox_mode(shutil.which("bwrap"), str(python))
    if mode.name != NAMESPACES and required:
        setting = variable("check_isolation")
        raise UsageError(f"{setting}={NAMESPACES}, but this machine can only run code under check or training in "
                         f"'{PROCESS_GROUP}' mode ({mode.reason}) ==> {INSTALL} and allow unprivileged user "
                         "namespaces (Ubuntu 24.04, GitHub's hosted runners included: `sudo sysctl -w "
                         "kernel.apparmor_restrict_unprivileged_userns=0`); "
                         f"or accept the weaker mode with {setting}=any")
    return mode


def file_size_limit(limit: int) -> Callable[[], None]:
    """A Popen preexec_fn: no file the program writes (its stdout's included) grows past `limit` bytes."""
    def apply() -> None:
        if limit > 0:
            resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
    return apply


def wrap(command: list[str], mode: Mode, groups: TreeGroups | None, confinement: Confinement) -> list[str]:
    """`command` (the harness) as the run starts it: in its cgroups, then in its sandbox."""
    if mode.name == NAMESPACES:
        readable = (*confinement.readable, *interpreter_paths(Path(command[0])))
        command = [*arguments(mode.bwrap, Confinement(readable, confinement.writable, confinement.folder,
                                                      confinement.network, confinement.tmpfs_bytes)), *command]
    if groups:
        command = ["/bin/sh", "-c", JOIN_CGROUPS, "sh", *groups.join_files(), "--", *command]
    return command


def wrap_training(command: list[str], confinement: Confinement, *, required: bool) -> list[str]:
    """A build's training child (`command`: its Python, then `-m <package> build --here ...`) as this
    machine isolates it: the same sandbox as a check's run, `confinement`'s network (none for a build: its
    parent made the data ready) and only `confinement`'s folders writable."""
    mode = detect(Path(command[0]), required=required)
    if mode.name != NAMESPACES:
        log_process_group_once(mode.reason)
        return command
    return wrap(command, mode, None, confinement)


@functools.cache
def log_process_group_once(reason: str) -> None:
    log.warning(f"build: training runs in '{PROCESS_GROUP}' mode ({reason}): its environment holds no key, but "
                "it can read and write what this user can, other processes' environments included ==> build "
                f"where bubblewrap works: {INSTALL}")


def describe(mode: Mode, groups: TreeGroups | None, network: bool) -> str:
    """The report's one line on isolation: the mode, then what it guarantees."""
    limits = groups.describe() if groups else "memory and processes watched for the whole process tree"
    if mode.name == NAMESPACES:
        return (f"{NAMESPACES}: bubblewrap sandbox as nobody, own PID namespace and /proc (no other process "
                f"visible), {'network allowed' if network else 'own network namespace (no network for any process)'}"
                ", a read-only file system of its own but its scratch folder (no host socket), no capabilities, "
                f"no nested user namespace; {limits}")
    return (f"{PROCESS_GROUP} ({mode.reason}): the pickle could read what this user can read, other "
            f"processes' environments included, and a child process could reach the network; {limits}")
