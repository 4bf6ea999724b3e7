"""The limits a confined run gets: Numerai's container limits by default, each overridable."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from ..errors import UsageError

MB, GB = 2**20, 2**30
SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([kmgt])i?b?\s*$", re.IGNORECASE)
UNITS = {"k": 2**10, "m": 2**20, "g": 2**30, "t": 2**40}
# Above any machine a check runs on (Numerai gives 4 GB; GitHub's largest runners 64 GB): the limit is
# handed to the kernel (RLIMIT_AS, cgroup memory.max), which refuses or overflows far larger values.
MAX_MEMORY = 2**40
# Numerai runs a pickle for 10 minutes on 1 CPU. A day outlasts any job on GitHub (6 hours) and a longer
# wait overflows the timers that enforce it; no machine has more CPUs.
MAX_SECONDS = 24 * 3600.0
MAX_CPUS = 1024


@dataclass(frozen=True)
class Limits:
    """Numerai's: 10 minutes, 4 GB, 1 CPU, no network. Each overridable on the command line. Ours: what
    the run may write, in its scratch folder and in any one file (its output included)."""

    seconds: float = 600.0
    memory_bytes: int = 4 * GB
    cpus: int = 1
    network: bool = False
    disk_bytes: int = 1 * GB


def parse_size(text: str, flag: str = "--memory") -> int:
    """'4g', '512m', '1.5G' in bytes; a bare number is refused (bytes or MB would be a guess)."""
    match = SIZE.match(text)
    if not match:
        raise UsageError(f"{flag} {text!r} ==> expected a size with a unit, e.g. 4g or 512m")
    size = int(float(match.group(1)) * UNITS[match.group(2).lower()])
    if size > MAX_MEMORY:
        raise UsageError(f"{flag} {text!r} ==> expected at most {MAX_MEMORY // 2**40}t (Numerai runs a pickle with 4g)")
    return size


def checked_limits(seconds: float, memory: str, cpus: int, network: bool) -> Limits:
    """Limits from a command's flags (--timeout, --memory, --cpus, --allow-network); each must limit
    something (0, inf or nan would turn a limit off) and stay within what a machine can enforce."""
    if not (math.isfinite(seconds) and seconds > 0):
        raise UsageError(f"--timeout {seconds:g} ==> expected a positive number of seconds")
    if seconds > MAX_SECONDS:
        raise UsageError(f"--timeout {seconds:g} ==> expected at most {MAX_SECONDS:.0f} seconds (Numerai: 600)")
    if not 1 <= cpus <= MAX_CPUS:
        raise UsageError(f"--cpus {cpus} ==> expected 1 to {MAX_CPUS} (Numerai: 1)")
    memory_bytes = parse_size(memory)
    if memory_bytes <= 0:
        raise UsageError(f"--memory {memory!r} ==> expected a size above zero, e.g. 4g or 512m")
    return Limits(seconds=seconds, memory_bytes=memory_bytes, cpus=cpus, network=network)
