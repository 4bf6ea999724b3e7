"""Which isolation this machine gives a check's run, and the command that starts the run in it.

"namespaces" (Linux, where `unshare` may make a user namespace, or as root): the run is the first
process of its own PID namespace with its own /proc (no other process, so no other environment, is
visible), its own network namespace (no network for it or any child), IPC and mount namespaces
(every file system read-only but the run's scratch folder: confine.py), no capabilities, and it
takes the whole namespace down when it ends.

"process group only": the run gets its own session and process group, and this process adopts
whatever leaves it (tree.py); the pickle's own Python is kept off the network by an audit hook, but
a child process or native code is not, and other processes of this user stay visible.

Either way the memory and process limits hold for the whole tree: by cgroup where one is writable
(cgroups.py), else by the parent's watch of the tree (tree.py).

A build's training (custom code, any estimator) runs in the same mode, less two of its walls
(wrap_training): it keeps the network and a writable file system. NUMERAI_CHECK_ISOLATION=namespaces
makes both refuse to run where only "process group only" is possible (CI that must not check with the
weaker mode unnoticed).
"""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from ..errors import UsageError
from ..logs import get_logger
from ..settings import load_settings, variable
from .cgroups import TreeGroups

log = get_logger(__name__)

NAMESPACES, PROCESS_GROUP = "namespaces", "process group only"
CONFINE_SCRIPT = Path(__file__).with_name("confine.py")  # run by path: the image's Python cannot import us
# Own PID namespace with a fresh /proc, IPC and mount namespaces; the first process dies with unshare.
UNSHARE = ("--pid", "--fork", "--kill-child", "--mount-proc", "--ipc")
USER_NAMESPACE = ("--user", "--map-root-user")
# Joins the run's cgroups before anything else starts, so that no child can be born outside them.
# (PWD: the shell would add it to the run's allow-listed environment.)
JOIN_CGROUPS = 'unset PWD OLDPWD; while [ "$1" != -- ]; do echo $$ > "$1" || exit 125; shift; done; shift; exec "$@"'
PROBE_SECONDS = 30


@dataclass(frozen=True)
class Mode:
    name: str  # NAMESPACES or PROCESS_GROUP
    unshare: tuple[str, ...] = ()  # the unshare command and flags that worked (namespaces only)
    reason: str = ""  # why not namespaces


def probe(unshare: str, flags: tuple[str, ...], python: str) -> str:
    """'' when confine.py sets up a run in these namespaces here, else why not."""
    with tempfile.TemporaryDirectory(prefix="numerai-check-probe-") as scratch:
        try:
            result = subprocess.run([unshare, *flags, "--net", "--", python, "-I", str(CONFINE_SCRIPT), "--probe",
                                     scratch, "0"], capture_output=True, text=True, timeout=PROBE_SECONDS,
                                    stdin=subprocess.DEVNULL)
        except (OSError, subprocess.TimeoutExpired) as error:
            return str(error)
    if result.returncode == 0:
        return ""
    return (result.stderr.strip().splitlines() or [f"exit code {result.returncode}"])[-1]


@functools.cache
def namespace_mode(unshare: str | None, python: str, root: bool) -> Mode:
    """The first of: a user namespace (unprivileged or not), else as root without one."""
    if unshare is None:
        return Mode(PROCESS_GROUP, reason="`unshare` (util-linux) is not installed")
    attempts = [USER_NAMESPACE + UNSHARE] + ([UNSHARE] if root else [])
    reason = ""
    for flags in attempts:
        reason = probe(unshare, flags, python)
        if not reason:
            return Mode(NAMESPACES, (unshare, *flags))
    return Mode(PROCESS_GROUP, reason=reason)


def detect(python: Path) -> Mode:
    """The isolation a run with `python` gets on this machine (tested once per process); a UsageError
    when the settings require namespaces and this machine cannot make them."""
    if not hasattr(os, "geteuid") or not Path("/proc/self/ns/pid").exists():
        mode = Mode(PROCESS_GROUP, reason="this system has no Linux namespaces")
    else:
        mode = namespace_mode(shutil.which("unshare"), str(python), os.geteuid() == 0)
    if mode.name != NAMESPACES and load_settings().check_isolation == NAMESPACES:
        setting = variable("check_isolation")
        raise UsageError(f"{setting}={NAMESPACES}, but this machine can only run code under check or training in "
                         f"'{PROCESS_GROUP}' mode ({mode.reason}) ==> allow unprivileged user namespaces (Ubuntu "
                         "24.04, GitHub's hosted runners included: `sudo sysctl -w "
                         "kernel.apparmor_restrict_unprivileged_userns=0`) and install util-linux's `unshare`; "
                         f"or accept the weaker mode with {setting}=any")
    return mode


def wrap(command: list[str], mode: Mode, groups: TreeGroups | None, scratch: Path, max_tasks: int,
         network: bool) -> list[str]:
    """`command` (the harness) as the run starts it: in its cgroups, then in its namespaces, confined."""
    if mode.name == NAMESPACES:
        python = command[0]
        command = [*mode.unshare, *([] if network else ["--net"]), "--", python, "-I", str(CONFINE_SCRIPT),
                   str(scratch), str(max_tasks), "--", *command]
    if groups:
        command = ["/bin/sh", "-c", JOIN_CGROUPS, "sh", *groups.join_files(), "--", *command]
    return command


def wrap_training(command: list[str]) -> list[str]:
    """A build's training child (`command`: its Python, then `-m <package> build --here ...`) as this
    machine isolates it: where namespaces work, the first process of its own PID namespace with its own
    /proc (no other process's environment, the key's included, is visible), IPC and mount namespaces,
    no capabilities. It keeps the network: build_slot downloads the dataset it trains on (no key needed).
    It keeps a writable file system: it writes dist/ and the data cache."""
    mode = detect(Path(command[0]))
    if mode.name != NAMESPACES:
        log_process_group_once(mode.reason)
        return command
    return [*mode.unshare, "--", command[0], "-I", str(CONFINE_SCRIPT), "--training", "--", *command]


@functools.cache
def log_process_group_once(reason: str) -> None:
    log.warning(f"build: training runs in '{PROCESS_GROUP}' mode ({reason}): its environment holds no key, but "
                "other processes of this user (their environments included) stay visible to it ==> build where "
                "`unshare --user --map-root-user --pid --fork true` works to hide them")


def describe(mode: Mode, groups: TreeGroups | None, network: bool) -> str:
    """The report's one line on isolation: the mode, then what it guarantees."""
    limits = groups.describe() if groups else "memory and processes watched for the whole process tree"
    if mode.name == NAMESPACES:
        return (f"{NAMESPACES}: own PID namespace and /proc (no other process visible), "
                f"{'network allowed' if network else 'own network namespace (no network for any process)'}, "
                f"file system read-only but its scratch folder, no capabilities; {limits}")
    return (f"{PROCESS_GROUP} ({mode.reason}): the pickle could read what this user can read, other "
            f"processes' environments included, and a child process could reach the network; {limits}")
