"""scripts/bench.py's measurement: a command's peak memory is its whole process tree's, the children it
starts in a PID namespace of their own included (as a build's sandboxed training child is)."""

from __future__ import annotations

import importlib.util
import shutil
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[1] / "scripts" / "bench.py"
HOLD = "import time; block = bytearray({size}); block[::4096] = b'x' * len(block[::4096]); time.sleep(2)"


def load_bench():
    spec = importlib.util.spec_from_file_location("bench", BENCH)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.skipif(shutil.which("bwrap") is None, reason="no bubblewrap (make bubblewrap installs it)")
def test_a_commands_peak_counts_a_child_in_a_bubblewrap_pid_namespace():
    """bwrap --unshare-pid hands its child's exit over without the child's usage: wait4 alone sees 0.04 GB here."""
    bench = load_bench()
    held = 400_000_000
    sandbox = ["bwrap", "--ro-bind", "/", "/", "--proc", "/proc", "--dev", "/dev", "--unshare-pid", "--die-with-parent"]
    result = bench.measure([*sandbox, sys.executable, "-c", HOLD.format(size=held)])
    assert result["code"] == 0, result["stderr"]
    assert result["peak"] >= held
