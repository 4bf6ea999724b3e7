"""Waiting for Numerai: look, sleep, look again, until what is awaited arrives or time is up."""

from __future__ import annotations

import time
from collections.abc import Iterator


def polls(timeout: float, interval: float) -> Iterator[int]:
    """Yield 0 now, then 1, 2, ... every `interval` seconds; stop rather than sleep past `timeout` seconds.

    The caller looks once per value and breaks out when what it waits for has arrived; a loop that runs
    out (its `else`) timed out."""
    deadline = time.monotonic() + timeout
    attempt = 0
    while True:
        yield attempt
        if time.monotonic() + interval > deadline:
            return
        time.sleep(interval)
        attempt += 1
