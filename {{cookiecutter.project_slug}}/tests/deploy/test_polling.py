"""Polling looks at once, then every interval, and never sleeps past its timeout."""

from __future__ import annotations

import time

from {{ cookiecutter.package_name }}.numerai.polling import polls


def test_a_timeout_shorter_than_the_interval_still_looks_once():
    started = time.monotonic()
    assert list(polls(timeout=0.01, interval=5)) == [0]
    assert time.monotonic() - started < 1, "it must not sleep an interval that would end past the timeout"


def test_looks_come_an_interval_apart_until_the_timeout():
    started = time.monotonic()
    times = [time.monotonic() - started for _ in polls(timeout=0.45, interval=0.1)]
    assert 2 <= len(times) <= 5, times  # at most at 0, 0.1, ..., 0.4 (fewer on a busy machine)
    assert all(later - earlier >= 0.1 for earlier, later in zip(times, times[1:], strict=False))
    assert time.monotonic() - started < 0.45, "the last sleep would have ended past the timeout: not slept"


def test_breaking_out_stops_the_waiting():
    started = time.monotonic()
    for attempt in polls(timeout=10, interval=5):
        if attempt == 0:
            break
    assert time.monotonic() - started < 1
