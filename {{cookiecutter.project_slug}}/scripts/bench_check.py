"""How much time `numerai-deploy check` adds to a pickle's own predict time, cold and warm.

    python scripts/bench_check.py [PICKLE] [--runs 3]

Without PICKLE it builds the first slot of models/ on synthetic data. Cold: a fresh check
environment cache (the environment is created, from uv's or pip's package cache). Warm: the same
cache again. Each figure is the wall time of the whole command, CLI start included; overhead is that
minus the pickle's own predict time. The target for warm is under 5 seconds.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = "{{ cookiecutter.package_name }}"
WARM_TARGET_SECONDS = 5.0


def cli(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", PACKAGE, *args], cwd=ROOT, capture_output=True, text=True,
                          env={**os.environ, **(env or {})})


def build_pickle(out: Path) -> Path:
    result = cli("build", "--synthetic", "--no-check", "--out", str(out))
    pickles = sorted(out.glob("*.pkl"))
    if result.returncode != 0 or not pickles:
        sys.exit(f"build failed:\n{result.stdout}{result.stderr}")
    return pickles[0]


def timed_check(pickle: Path, cache: Path) -> dict:
    started = time.perf_counter()
    result = cli("check", str(pickle), "--json", env={"NUMERAI_RUNTIME_CACHE": str(cache)})
    wall = time.perf_counter() - started
    if result.returncode not in (0, 1):
        sys.exit(f"check exited {result.returncode}:\n{result.stderr}")
    report = json.loads(result.stdout)["reports"][0]
    predict = (report["run"] or {}).get("predict_seconds") or 0.0
    return {"wall": wall, "check": report["seconds"], "run": (report["run"] or {}).get("seconds") or 0.0,
            "predict": predict, "overhead": wall - predict, "ok": report["ok"]}


def line(label: str, figures: dict) -> str:
    return (f"{label:5} {figures['wall']:6.2f} s wall (check {figures['check']:.2f} s, run {figures['run']:.2f} s), "
            f"predict {figures['predict']:.3f} s, overhead {figures['overhead']:.2f} s")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("pickle", nargs="?", type=Path)
    parser.add_argument("--runs", type=int, default=3, help="warm runs; the median is reported")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="bench-check-") as scratch:
        pickle = args.pickle or build_pickle(Path(scratch) / "dist")
        cache = Path(scratch) / "runtimes"
        cold = timed_check(pickle, cache)
        warm_runs = [timed_check(pickle, cache) for _ in range(max(args.runs, 1))]
    warm = {key: statistics.median(run[key] for run in warm_runs) for key in ("wall", "check", "run", "predict",
                                                                               "overhead")}
    print(f"check {pickle.name} (pickle {'passed' if cold['ok'] else 'failed'})")
    print(line("cold", cold))
    print(line("warm", warm) + f" (median of {len(warm_runs)})")
    verdict = "within" if warm["overhead"] < WARM_TARGET_SECONDS else "OVER"
    print(f"warm overhead {warm['overhead']:.2f} s: {verdict} the {WARM_TARGET_SECONDS:g} s target")
    return 0 if warm["overhead"] < WARM_TARGET_SECONDS else 1


if __name__ == "__main__":
    sys.exit(main())
