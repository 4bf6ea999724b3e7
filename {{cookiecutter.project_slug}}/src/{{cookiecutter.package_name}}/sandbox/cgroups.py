"""A check run's own control groups, where this machine lets us make them: one memory limit and one
process limit for the whole process tree, and a way to kill every member at once.

cgroup v2 (a controller enabled in the unified hierarchy) or v1 (a controller's own hierarchy), each
controller where it is writable: made under the cgroup this process is in, so that any limit above
still applies. Nothing here is required: without a writable hierarchy `TreeGroups.make` returns
None and sandbox.py watches the tree itself (tree.py).
"""

from __future__ import annotations

import os
import secrets
import signal
import time
from dataclasses import dataclass, field
from pathlib import Path

CONTROLLERS = ("memory", "pids")
# file names per version: limit, counter of hits, members
V1 = {"memory": ("memory.limit_in_bytes", "memory.oom_control", "oom_kill"),
      "pids": ("pids.max", "pids.events", "max")}
V2 = {"memory": ("memory.max", "memory.events", "oom_kill"),
      "pids": ("pids.max", "pids.events", "max")}
KILL_ROUNDS = 50


@dataclass(frozen=True)
class Hierarchy:
    mount: Path  # where it is mounted
    root: str  # the cgroup the mount shows as its root (a container's may not be "/")
    version: int
    controllers: frozenset[str]


def mounted_hierarchies() -> list[Hierarchy]:
    """Every cgroup file system mounted here, from /proc/self/mountinfo."""
    found = []
    try:
        lines = Path("/proc/self/mountinfo").read_text(encoding="utf-8").splitlines()
    except OSError:
        return []
    for line in lines:
        fields, _, rest = line.partition(" - ")
        kind, _source, options = (rest.split() + ["", "", ""])[:3]
        parts = fields.split()
        if kind == "cgroup":
            controllers = frozenset(options.split(",")) & set(CONTROLLERS)
            found.append(Hierarchy(Path(parts[4]), parts[3], 1, controllers))
        elif kind == "cgroup2":
            enabled = read_text(Path(parts[4]) / "cgroup.controllers").split()
            found.append(Hierarchy(Path(parts[4]), parts[3], 2, frozenset(enabled) & set(CONTROLLERS)))
    return found


def read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except OSError:
        return ""


def own_cgroups() -> dict[str, str]:
    """{controller or "" for v2: the cgroup this process is in}."""
    found = {}
    for line in read_text(Path("/proc/self/cgroup")).splitlines():
        _number, controllers, path = line.split(":", 2)
        for name in controllers.split(",") if controllers else [""]:
            found[name] = path
    return found


def parent_folder(hierarchy: Hierarchy, own: dict[str, str]) -> Path | None:
    """The folder of this process's cgroup in `hierarchy`, or None when the mount does not show it."""
    key = "" if hierarchy.version == 2 else next(iter(hierarchy.controllers), "")
    path = own.get(key)
    if path is None:
        return None
    root = hierarchy.root.rstrip("/")
    if root and not (path == root or path.startswith(root + "/")):
        return None
    folder = hierarchy.mount / path[len(root):].lstrip("/")
    return folder if folder.is_dir() else None


def make_group(parent: Path, name: str, version: int, wanted: set[str]) -> tuple[Path, set[str]] | None:
    """A new cgroup `name` under `parent` with the `wanted` controllers it can have; None when refused."""
    folder = parent / name
    try:
        folder.mkdir()
    except OSError:
        return None
    table = V2 if version == 2 else V1
    usable = {controller for controller in wanted if (folder / table[controller][0]).exists()}
    if not usable:
        remove_group(folder)
        return None
    return folder, usable


def remove_group(folder: Path) -> None:
    try:
        folder.rmdir()
    except OSError:
        pass


@dataclass
class TreeGroups:
    """The run's cgroups: {controller: (folder, version)}."""

    groups: dict[str, tuple[Path, int]] = field(default_factory=dict)

    @classmethod
    def make(cls, memory_bytes: int, max_tasks: int) -> TreeGroups | None:
        """Groups limiting the tree to `memory_bytes` (0: no limit) and `max_tasks`; None if none is writable."""
        if not hasattr(os, "getuid") or not Path("/proc/self/cgroup").exists():
            return None
        own, name = own_cgroups(), f"numerai-check-{secrets.token_hex(6)}"
        made = cls()
        wanted = {"pids"} | ({"memory"} if memory_bytes > 0 else set())
        for hierarchy in sorted(mounted_hierarchies(), key=lambda item: -item.version):
            needed = (wanted - set(made.groups)) & (hierarchy.controllers if hierarchy.version == 1 else
                                                    set(CONTROLLERS))
            parent = parent_folder(hierarchy, own) if needed else None
            group = make_group(parent, name, hierarchy.version, needed) if parent else None
            if group:
                made.groups.update({controller: (group[0], hierarchy.version) for controller in group[1]})
        if not made.groups or not made.limit(memory_bytes, max_tasks):
            made.remove()
            return None
        return made

    def limit(self, memory_bytes: int, max_tasks: int) -> bool:
        try:
            if "memory" in self.groups:
                folder, version = self.groups["memory"]
                if version == 2:
                    (folder / "memory.max").write_text(str(memory_bytes))
                    for name, value in (("memory.swap.max", "0"), ("memory.oom.group", "1")):
                        if (folder / name).exists():
                            (folder / name).write_text(value)
                else:
                    (folder / "memory.limit_in_bytes").write_text(str(memory_bytes))
                    if (folder / "memory.memsw.limit_in_bytes").exists():  # no swap beyond the limit
                        (folder / "memory.memsw.limit_in_bytes").write_text(str(memory_bytes))
            if "pids" in self.groups:
                (self.groups["pids"][0] / "pids.max").write_text(str(max_tasks))
        except OSError:
            return False
        return True

    @property
    def folders(self) -> list[Path]:
        return sorted({folder for folder, _version in self.groups.values()})

    def join_files(self) -> list[str]:
        """The cgroup.procs files a process writes its pid into to join every group."""
        return [str(folder / "cgroup.procs") for folder in self.folders]

    def describe(self) -> str:
        versions = sorted({f"v{version}" for _folder, version in self.groups.values()})
        limited = " and ".join("memory" if name == "memory" else "processes" for name in sorted(self.groups))
        return f"{limited} limited for the whole process tree (cgroup {'+'.join(versions)})"

    def hits(self, controller: str) -> int:
        """How often the limit of `controller` stopped something: OOM kills, refused forks."""
        if controller not in self.groups:
            return 0
        folder, version = self.groups[controller]
        _limit, events, key = (V2 if version == 2 else V1)[controller]
        for line in read_text(folder / events).splitlines():
            name, _, value = line.partition(" ")
            if name == key and value.strip().isdigit():
                return int(value)
        return 0

    def members(self) -> set[int]:
        return {int(pid) for folder in self.folders for pid in read_text(folder / "cgroup.procs").split()
                if pid.isdigit()}

    def kill(self) -> None:
        """SIGKILL every member until none is left (a member may fork while it is being killed)."""
        for folder in self.folders:
            if (folder / "cgroup.kill").exists():
                try:
                    (folder / "cgroup.kill").write_text("1")
                except OSError:
                    pass
        for _ in range(KILL_ROUNDS):
            members = self.members()
            if not members:
                return
            for pid in members:
                try:
                    os.kill(pid, signal.SIGKILL)
                except OSError:
                    pass
            time.sleep(0.02)

    def remove(self) -> None:
        for folder in self.folders:
            for _ in range(KILL_ROUNDS):  # a killed member leaves the group when it is reaped
                if not read_text(folder / "cgroup.procs").split():
                    break
                time.sleep(0.02)
            remove_group(folder)
        self.groups.clear()
