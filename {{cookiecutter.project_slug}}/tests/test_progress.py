"""Progress of long work: a bar where a person watches, plain lines in a CI log."""

from __future__ import annotations

import io
import time

import pytest

from {{ cookiecutter.package_name }} import logs
from {{ cookiecutter.package_name }} import progress as progress_module
from {{ cookiecutter.package_name }}.progress import Heartbeat, Progress, interactive
from {{ cookiecutter.package_name }}.settings import load_settings


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.fixture
def log_stream():
    stream = io.StringIO()
    logs.configure(stream)
    yield stream
    logs.configure(io.StringIO())


def test_a_ci_log_gets_plain_lines_with_the_amount_done_and_the_end(log_stream):
    with Progress("data: v5.3/train.parquet", 4_000_000, "B", interval=0, bar=False) as progress:
        for _ in range(4):
            progress.update(1_000_000)
    lines = log_stream.getvalue().splitlines()
    assert lines[0].startswith("data: v5.3/train.parquet: 1.0 MB of 4.0 MB (25%), ")
    assert lines[3].startswith("data: v5.3/train.parquet: 4.0 MB of 4.0 MB (100%), ")
    assert lines[-1].startswith("data: v5.3/train.parquet: done, 4.0 MB of 4.0 MB (100%)")


def test_plain_lines_come_at_most_once_an_interval(log_stream):
    with Progress("train: LightGBM", 200, "iterations", interval=3600, bar=False) as progress:
        for _ in range(200):
            progress.update()
    assert log_stream.getvalue() == ""  # quick work says nothing


def test_a_terminal_gets_a_bar(monkeypatch, log_stream):
    terminal = Terminal()
    monkeypatch.setattr("sys.stderr", terminal)
    progress_module.configure(in_ci=False)
    assert interactive()
    with Progress("train: LightGBM", 10, "iterations") as progress:
        for _ in range(10):
            progress.update()
    assert "train: LightGBM: 100%" in terminal.getvalue() and "10/10" in terminal.getvalue()
    assert log_stream.getvalue() == ""
    progress_module.configure(in_ci=True)  # a runner's log may look like a terminal: plain lines there
    assert not interactive()
    progress_module.configure(in_ci=False)
    monkeypatch.setenv("CI", "true")
    assert load_settings().in_ci
    monkeypatch.setenv("CI", "false")
    assert not load_settings().in_ci


def test_a_heartbeat_says_the_work_goes_on(log_stream):
    with Heartbeat("build: uv pip (Python 3.12)", interval=0.05, bar=False):
        time.sleep(0.3)
    lines = log_stream.getvalue().splitlines()
    assert lines and lines[0].startswith("build: uv pip (Python 3.12): still working, ")
    assert lines[-1].startswith("build: uv pip (Python 3.12): done, ")


def test_a_count_names_its_unit_once(log_stream):
    with Progress("train: LightGBM", 4000, "iterations", interval=0, bar=False) as progress:
        progress.update(325)
    assert log_stream.getvalue().splitlines()[0].startswith("train: LightGBM: 325 of 4,000 iterations (8%), ")
