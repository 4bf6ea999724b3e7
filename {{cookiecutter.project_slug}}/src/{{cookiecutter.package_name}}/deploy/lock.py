"""One deploy of a slot at a time, per repository: two deploys started together upload once.

A deploy holds an exclusive lock (fcntl.flock, released by the kernel when its process ends, however it
ends) on `<artifacts folder>/.deploy-locks/<slot>.lock` while it deploys that slot: the upload, the wait
for Numerai's validation and the assignment. A second deploy of the slot tries again until the first is
done, within a budget as long as one slot's deploy may take; then it looks at Numerai afresh, so it finds
the first one's pickle assigned (or its upload, still validating: Deployer.reusable_upload) and uploads
nothing. When the budget runs out it does nothing for that slot and says who holds it.

Deploys on other machines share no lock: for them only the look-up of this build's uploads on Numerai
stands between two uploads.
"""

from __future__ import annotations

import os
import socket
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import IO, Any

try:
    import fcntl
except ImportError:  # Windows: no advisory locks, each deploy relies on the look-up on Numerai
    fcntl = None  # type: ignore[assignment]

LOCK_FOLDER = ".deploy-locks"
RETRY_SECONDS = 0.2


@dataclass
class SlotLock:
    acquired: bool
    holder: str = ""  # who had it, when this deploy gave up waiting

    @property
    def busy_message(self) -> str:
        return (f"another deploy of this slot is running ({self.holder or 'holder unknown'}) ==> nothing was "
                "done for it here; re-run deploy when that one has finished")


def lock_path(artifacts: Path, slot: str) -> Path:
    return Path(artifacts) / LOCK_FOLDER / f"{slot}.lock"


def describe_self() -> str:
    return f"pid {os.getpid()} on {socket.gethostname()} since {datetime.now(timezone.utc):%Y-%m-%d %H:%M:%S} UTC"


def try_lock(stream: IO[Any]) -> bool:
    try:
        fcntl.flock(stream.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


@contextmanager
def slot_lock(artifacts: Path, slot: str, wait_seconds: float,
              on_wait: Callable[[str], object] | None = None) -> Iterator[SlotLock]:
    """Hold the slot's lock, trying for up to `wait_seconds`; `on_wait(holder)` is called once if it must wait."""
    if fcntl is None:
        yield SlotLock(acquired=True)
        return
    path = lock_path(artifacts, slot)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        stream = open(path, "a+", encoding="utf-8")  # noqa: SIM115 (held for the whole deploy of the slot)
    except OSError:  # a read-only artifacts folder: only the look-up on Numerai stands guard
        yield SlotLock(acquired=True)
        return
    with stream:
        deadline, told = time.monotonic() + wait_seconds, False
        while not try_lock(stream):
            stream.seek(0)
            holder = stream.read().strip()
            if time.monotonic() >= deadline:
                yield SlotLock(acquired=False, holder=holder)
                return
            if not told and on_wait:
                on_wait(holder)
                told = True
            time.sleep(RETRY_SECONDS)
        stream.seek(0)
        stream.truncate()
        stream.write(describe_self())
        stream.flush()
        try:
            yield SlotLock(acquired=True)
        finally:
            stream.seek(0)
            stream.truncate()
            fcntl.flock(stream.fileno(), fcntl.LOCK_UN)
