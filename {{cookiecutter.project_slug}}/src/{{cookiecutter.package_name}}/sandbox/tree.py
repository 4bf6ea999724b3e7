"""A check run's process tree seen through /proc: who is in it, how much memory and how many tasks it
holds together, and killing all of it.

The fallback where no cgroup is writable (cgroups.py): the parent samples the tree while it waits and
kills it when it passes a limit. While a run lasts this process is a child subreaper (Linux), so a
process that leaves its parent (a double fork, setsid) is re-parented here and stays in the tree.
"""

from __future__ import annotations

import ctypes
import os
import signal
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

PR_SET_CHILD_SUBREAPER, PR_GET_CHILD_SUBREAPER = 36, 37
PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096
KILL_ROUNDS = 50


@dataclass(frozen=True)
class Usage:
    processes: int
    tasks: int  # threads included: what a pids cgroup or RLIMIT_NPROC counts
    memory_bytes: int


def process_table() -> dict[int, tuple[int, int, str]]:
    """{pid: (parent pid, threads, state)} of every process /proc shows; {} without /proc."""
    table = {}
    for entry in os.scandir("/proc") if os.path.isdir("/proc") else []:
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", "rb") as stat:
                fields = stat.read().rpartition(b")")[2].split()
        except OSError:
            continue  # gone meanwhile
        table[int(entry.name)] = (int(fields[1]), int(fields[17]), fields[0].decode())
    return table


def descendants(roots: set[int], table: dict[int, tuple[int, int, str]] | None = None) -> set[int]:
    """`roots` that still exist and every process below them."""
    table = process_table() if table is None else table
    children: dict[int, list[int]] = {}
    for pid, (parent, _threads, _state) in table.items():
        children.setdefault(parent, []).append(pid)
    found, todo = set(), [root for root in roots if root in table]
    while todo:
        pid = todo.pop()
        if pid not in found:
            found.add(pid)
            todo.extend(children.get(pid, []))
    return found


def resident_bytes(pid: int) -> int:
    """The process's proportional share of memory (Pss), else its resident size; 0 when gone.

    Pss splits pages shared by forks between them, so a fork of a big process is not counted twice.
    """
    try:
        with open(f"/proc/{pid}/smaps_rollup", encoding="ascii") as rollup:
            for line in rollup:
                if line.startswith("Pss:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError):
        pass
    try:
        with open(f"/proc/{pid}/statm", encoding="ascii") as statm:
            return int(statm.read().split()[1]) * PAGE
    except (OSError, ValueError, IndexError):
        return 0


def usage(pids: set[int], table: dict[int, tuple[int, int, str]]) -> Usage:
    live = [pid for pid in pids if pid in table and table[pid][2] != "Z"]
    return Usage(len(live), sum(table[pid][1] for pid in live), sum(resident_bytes(pid) for pid in live))


def each(pids: set[int], action: Callable[[int], object]) -> None:
    """`action(pid)` for each of `pids`; one that is gone (or not ours to reap) is passed over."""
    for pid in pids:
        try:
            action(pid)
        except OSError:
            pass


def kill(pids: set[int]) -> None:
    each(pids, lambda pid: os.kill(pid, signal.SIGKILL))


def reap(pids: set[int]) -> None:
    """Collect the exit of those of `pids` that are (re-parented) children of this process."""
    each(pids, lambda pid: os.waitpid(pid, os.WNOHANG))


class Tree:
    """The processes a run started: below its first process, plus orphans re-parented to us."""

    def __init__(self, first: int, earlier_children: set[int]):
        self.first = first
        self.earlier_children = earlier_children  # ours before the run: never the run's

    def members(self, table: dict[int, tuple[int, int, str]] | None = None) -> set[int]:
        table = process_table() if table is None else table
        own = os.getpid()
        adopted = {pid for pid, (parent, _threads, _state) in table.items()
                   if parent == own and pid not in self.earlier_children}
        return descendants({self.first} | adopted, table)

    def usage(self) -> Usage:
        table = process_table()
        return usage(self.members(table), table)

    def kill(self) -> None:
        """SIGKILL the whole tree until nothing of it is left (members may fork while being killed)."""
        for _ in range(KILL_ROUNDS):
            members = self.members()
            kill(members)
            others = members - {self.first}  # the first is its Popen's to wait for
            reap(others)
            if not others:
                return
            time.sleep(0.02)


def children_of_this_process() -> set[int]:
    own = os.getpid()
    return {pid for pid, (parent, _threads, _state) in process_table().items() if parent == own}


def set_subreaper(on: bool) -> bool:
    """Make this process the subreaper of its descendants (Linux); returns the previous setting."""
    if not sys.platform.startswith("linux"):
        return False
    libc = ctypes.CDLL(None, use_errno=True)
    previous = ctypes.c_int(0)
    libc.prctl(PR_GET_CHILD_SUBREAPER, ctypes.byref(previous), 0, 0, 0)
    libc.prctl(PR_SET_CHILD_SUBREAPER, int(on), 0, 0, 0)
    return bool(previous.value)


def proc_available() -> bool:
    return Path("/proc/self/stat").exists()
