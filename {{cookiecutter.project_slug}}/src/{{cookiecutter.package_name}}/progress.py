"""Progress of long work (downloads, training, environments): a bar on a terminal, plain lines elsewhere.

A bar (tqdm, which every numerai_predict image locks) only where someone watches: stderr is a terminal
and not a CI runner. A CI log or a file gets a line at most every PLAIN_INTERVAL seconds and one at
the end, through the package's logger (scrubbed like every other line), never a line per step.
"""

from __future__ import annotations

import sys
import threading
import time
from types import TracebackType
from typing import Any, TextIO

from .logs import get_logger

log = get_logger(__name__)
PLAIN_INTERVAL = 30.0  # seconds between plain progress lines
MEGABYTE = 1_000_000


_in_ci = False  # main sets it from the settings (CI=true in GitHub Actions): plain lines, however it looks


def configure(*, in_ci: bool) -> None:
    """Called once by main: whether this run's output is a CI runner's log."""
    global _in_ci
    _in_ci = in_ci


def interactive(stream: TextIO | None = None) -> bool:
    """Whether a person watches `stream` (stderr by default): a terminal, and not a CI runner's log."""
    stream = stream or sys.stderr
    try:
        terminal = stream.isatty()
    except (AttributeError, ValueError):  # a replaced or closed stream
        return False
    return terminal and not _in_ci


def amount(value: float, unit: str) -> str:
    return f"{value / MEGABYTE:,.1f} MB" if unit == "B" else f"{value:,.0f} {unit}".rstrip()


class Progress:
    """Counts work done of `total` (None: unknown) and shows it; a context manager.

    `interval`: seconds between plain lines (0: a line on every update, for tests)."""

    def __init__(self, description: str, total: float | None = None, unit: str = "", *,
                 interval: float = PLAIN_INTERVAL, bar: bool | None = None):
        self.description, self.total, self.unit, self.interval = description, total, unit, interval
        self.done = 0.0
        self.started = self.last_line = time.monotonic()
        self.bar: Any = None
        if interactive() if bar is None else bar:
            from tqdm import tqdm  # imported only for a terminal: plain lines need nothing

            self.bar = tqdm(total=total, desc=description, unit=unit or "it", unit_scale=unit == "B",
                            unit_divisor=1000, leave=True, file=sys.stderr, dynamic_ncols=True)

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self.close(finished=kind is None)

    def update(self, step: float = 1) -> None:
        self.done += step
        if self.bar is not None:
            self.bar.update(step)
            return
        now = time.monotonic()
        if now - self.last_line >= self.interval:
            self.last_line = now
            log.info(f"{self.description}: {self.figures()}")

    def figures(self) -> str:
        elapsed = time.monotonic() - self.started
        if self.total:
            share = min(self.done / self.total, 1.0)
            done = amount(self.done, self.unit if self.unit == "B" else "")  # "325 of 4,000 iterations"
            return (f"{done} of {amount(self.total, self.unit)} ({share:.0%}), "
                    f"{elapsed:,.0f} s")
        return f"{amount(self.done, self.unit) + ', ' if self.done else ''}{elapsed:,.0f} s"

    def close(self, finished: bool = True) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None
        elif finished and time.monotonic() - self.started >= self.interval:
            log.info(f"{self.description}: done, {self.figures()}")


class Heartbeat(Progress):
    """Progress of work that reports none (an installer in a subprocess): the time it has taken so far,
    refreshed by a thread while the `with` block runs."""

    def __init__(self, description: str, *, interval: float = PLAIN_INTERVAL, bar: bool | None = None):
        super().__init__(description, None, "", interval=interval, bar=bar)
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self.beat, daemon=True)

    def __enter__(self) -> Heartbeat:
        self.thread.start()
        return self

    def beat(self) -> None:
        while not self.stopping.wait(1.0 if self.bar is not None else self.interval):
            if self.bar is not None:
                self.bar.refresh()
            else:
                self.last_line = time.monotonic()
                log.info(f"{self.description}: still working, {self.figures()}")

    def close(self, finished: bool = True) -> None:
        self.stopping.set()
        if self.thread.is_alive():
            self.thread.join()
        super().close(finished)
