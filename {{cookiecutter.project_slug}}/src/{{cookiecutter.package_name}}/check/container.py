"""The one `docker run` of the real numerai_predict image: used by the workflows and the docs alike.

Production limits (no network, 4 GB, 1 CPU), the pickle and local live files mounted read-only at
the same paths, so the container downloads nothing. predict.py exits 0 when the pickle passes.
"""

from __future__ import annotations

import shlex
from pathlib import Path

from ..runtimes import Runtime
from ..sandbox.limits import GB, Limits
from .live import LiveData


def container_command(runtime: Runtime, pickle_path: Path, live: LiveData,
                      limits: Limits | None = None) -> list[str]:
    limits = limits or Limits()
    files = [Path(pickle_path).resolve(), live.dataset.resolve(), live.benchmarks.resolve()]
    folders = sorted({str(path.parent) for path in files})
    memory = f"{max(limits.memory_bytes // 2**20, 6)}m" if limits.memory_bytes % GB else f"{limits.memory_bytes // GB}g"
    command = ["docker", "run", "--rm", "--platform", "linux/amd64"]
    if not limits.network:
        command += ["--network", "none"]
    command += ["--memory", memory, "--memory-swap", memory, "--cpus", str(limits.cpus or 1)]
    for folder in folders:
        command += ["-v", f"{folder}:{folder}:ro"]
    command += [runtime.reference, "--debug", "--model", str(files[0]), "--dataset", str(files[1]),
                "--benchmarks", str(files[2])]
    return command


def shell_line(command: list[str]) -> str:
    return shlex.join(command)
