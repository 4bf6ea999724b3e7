"""`make bench`: build, predict and plan figures of a baked repo, each against the naive path.

Bakes the template into .work/bench/numerai-models, installs it on Python 3.12 with the
numerai_predict_py_3_12 pins, and prints, measured in this run:

1. build: wall time and peak memory of `numerai-deploy build` on synthetic data of Numerai's real
   training shape of the current dataset version (its datasets/<version>.json: about 2.7M rows by
   the medium features; `--scale` for fewer eras), against the naive path on the same file
   (pd.read_parquet of the whole file, then LightGBM fitted on the frame); and the peak as a
   multiple of the int8 size of the selected columns. Then the same build on all its features
   (about 10 GB as int8 at full scale; no naive run: it cannot fit).
   1c (`--only ridge`): a scikit-learn Ridge on the medium set, solved from streamed XᵀX and Xᵀy
   (ridge_peak_gb, ridge_int8_gb; bound 0.3 x int8 + 0.5 GB). 1d (`--only train-validation`): LightGBM
   on every feature of train plus validation (include_validation: true; validation eras at the same
   scale; train_validation_peak_gb, train_validation_int8_gb; bound 0.55 x int8 + 0.3 GB; then its check,
   and the job's disk: train_validation_job_disk_gb, bound 12 GB). Both print the capacity plan's
   estimate next to the peak.
2. predict: wall time and peak memory of the built pickle on 6,000 live rows with all the version's
   features, on one CPU, for LightGBM models of 20,000 trees (small set) and 2,000 trees (medium
   set), against a plain `model.predict(live[features])` wrapper of the same booster.
3. plan: time for a repo of 100 specs, and how many slots a no-op change and a one-slot change
   put in the build matrix (`plan --changed-since HEAD`).
4. transfer: the share of train.parquet (all features) a ranged remote read of the small feature
   set transfers, when the package has such a reader (data/remote.py `read_remote_columns`), from a
   local HTTP server that serves byte ranges; null otherwise.
5. install: a fresh environment of the baked package with the image's pins, `uv pip install` with
   uv's cache warm (the bench's own install filled it) against `pip install` of the same (pip's
   cache as it is: the line says whether it was warm).

6. scale on GitHub's runners: `numerai-deploy --help` time (help_seconds); a fresh default
   environment under the image's lock less numerai-tools (the package's runtimes/constraints.py):
   its disk and its install time with an empty uv cache (install_disk_gb, install_cold_seconds);
   the capacity plan's estimate of each build's peak (plan/capacity.py, runtimes/capacity.json)
   against the peak measured, over the builds of [1] and a scikit-learn Ridge build on one float32
   matrix (capacity_error: the largest |estimate - measured| / measured); and what a job's disk
   holds after an all-features build and its check: environments, uv's cache, data (job_disk_gb).

The last line is `BENCH {json}` with every figure (null for one not measured).

Every figure comes from a separate process; its peak memory is that of its whole process tree (a
build's sandboxed training child included), sampled: the sum of the tree's proportional set sizes,
not the machine's. The naive build runs under an address-space
cap (RLIMIT_AS, --naive-cap-gb) and is reported as "exceeded N GB" when it does not fit.

The same file runs inside the baked repo's environment as the measuring child (`--probe ...`);
that part imports the baked package and its libraries, the driver only the standard library.
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import resource
import shutil
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
WORK = ROOT / ".work" / "bench"
DATA = ROOT / ".work" / "bench-data"
GB = 1e9
RUNTIME = "3.12"
BUILD_TREES = 5
LIVE_ROWS = 6000
# Calls of each predict function; the best counts. Five, in alternating order: with three in one order the
# ratio of the same two models went from 0.95 to 1.09 between runs, wider than the bound's 5%.
PREDICT_REPEATS = 5
PLAN_SPECS = 100
PLAN_REPEATS = 3
TREE_SAMPLE_SECONDS = 0.2  # how often a measured command's process tree is sampled
# Bounds from the issues: build peak <= 0.8 x int8 + 0.5 GB (the all-features set, 2.7M rows of it,
# must fit a 7 GB GitHub runner) and <= half the naive peak; predict no slower than the plain
# wrapper (ratio <= 1.05); 20,000 trees in < 60 s and < 1 GB on one thread.
LIMIT_INT8_FACTOR, LIMIT_INT8_EXTRA, LIMIT_NAIVE_RATIO = 0.8, 0.5 * GB, 0.5
LIMIT_PREDICT_RATIO, LIMIT_PREDICT_SECONDS, LIMIT_PREDICT_PEAK = 1.05, 60.0, 1.0 * GB
# Bounds of a standard GitHub runner (7 GB of memory, 14 GB of disk), met at full scale: the all-features
# build's peak within 0.55 x its int8 size + 0.3 GB (LightGBM's binned dataset takes about half a byte a
# value), and a job's disk, a fresh install, the capacity plan's error and --help within these.
LIMIT_ALL_INT8_FACTOR, LIMIT_ALL_INT8_EXTRA_GB = 0.55, 0.3
# A Ridge on the medium set, solved from streamed XᵀX and Xᵀy: its peak within 0.3 x its int8 size + 0.5 GB;
# all features on train plus validation (LightGBM, include_validation) within the all-features bound above.
LIMIT_RIDGE_INT8_FACTOR, LIMIT_RIDGE_INT8_EXTRA_GB = 0.3, 0.5
INT8_BOUNDS = {"all_features": (LIMIT_ALL_INT8_FACTOR, LIMIT_ALL_INT8_EXTRA_GB),
               "ridge": (LIMIT_RIDGE_INT8_FACTOR, LIMIT_RIDGE_INT8_EXTRA_GB),
               "train_validation": (LIMIT_ALL_INT8_FACTOR, LIMIT_ALL_INT8_EXTRA_GB)}
LIMIT_JOB_DISK_GB = 12.0  # a job's environments, data and check on a 14 GB runner disk
RUNNER_BOUNDS = {"job_disk_gb": LIMIT_JOB_DISK_GB, "train_validation_job_disk_gb": LIMIT_JOB_DISK_GB,
                 "install_disk_gb": 1.0, "capacity_error": 0.15, "help_seconds": 1.0}

# Numerai's example-scripts parameters, at the sizes the issue names.
LIGHTGBM_PARAMS = {"learning_rate": 0.01, "max_depth": 5, "num_leaves": 31, "colsample_bytree": 0.1}
PREDICT_MODELS = (("small", 20_000), ("medium", 2_000))


# ---------------------------------------------------------------- the driver (standard library)

def measure(command: list[str], *, env: dict | None = None, cwd: Path | None = None) -> dict:
    """Run `command`; its wall time, peak memory (TreeWatch: the whole process tree's), exit code, output."""
    environment = {**os.environ, **(env or {})}
    environment.pop("VIRTUAL_ENV", None)
    started = time.monotonic()
    with subprocess.Popen(command, cwd=cwd, env=environment, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE) as process:
        watch = TreeWatch(process.pid)
        watch.start()
        # communicate() would reap the child itself; drain the pipes, then reap it with wait4.
        stdout, stderr = drain(process)
        _, status, usage = os.wait4(process.pid, 0)
        process.returncode = os.waitstatus_to_exitcode(status)
        watch.stop()
    return {"seconds": time.monotonic() - started, "peak": max(usage.ru_maxrss * 1024, watch.peak),
            "code": process.returncode, "stdout": stdout, "stderr": stderr}


class TreeWatch(threading.Thread):
    """The peak of a process tree's memory: every TREE_SAMPLE_SECONDS, the sum of the proportional set sizes
    (Pss: shared pages counted once in all) of the process and every descendant. wait4's ru_maxrss alone is
    not enough: it is one process's maximum, and it never sees a build's training child, which runs behind
    bubblewrap's PID namespace (measured: 0.22 GB from wait4 for a Ridge build whose child held 0.74 GB)."""

    def __init__(self, pid: int):
        super().__init__(daemon=True)
        self.pid, self.peak, self.done = pid, 0, threading.Event()

    def run(self) -> None:
        while not self.done.wait(TREE_SAMPLE_SECONDS):
            self.peak = max(self.peak, sum(proportional_size(pid) for pid in descendants(self.pid)))

    def stop(self) -> None:
        self.done.set()
        self.join()


def descendants(root: int) -> list[int]:
    """`root` and every process below it (from /proc/<pid>/stat's parent ids)."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        try:
            stat = Path(f"/proc/{entry}/stat").read_text() if entry.isdigit() else ""
        except OSError:
            continue
        if stat:
            children.setdefault(int(stat.rsplit(")", 1)[1].split()[1]), []).append(int(entry))
    found, stack = [], [root]
    while stack:
        pid = stack.pop()
        found.append(pid)
        stack += children.get(pid, [])
    return found


def proportional_size(pid: int) -> int:
    """The process's Pss in bytes (0 once it is gone)."""
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1]) * 1024
    except (OSError, ValueError):
        pass
    return 0


def drain(process: subprocess.Popen) -> tuple[str, str]:
    """Read both pipes to the end without reaping the child (wait4 must see it)."""
    import selectors

    chunks = {process.stdout: [], process.stderr: []}
    selector = selectors.DefaultSelector()
    for stream in chunks:
        selector.register(stream, selectors.EVENT_READ)
    while selector.get_map():
        for key, _ in selector.select():
            data = os.read(key.fileobj.fileno(), 65536)
            if data:
                chunks[key.fileobj].append(data.decode(errors="replace"))
            else:
                selector.unregister(key.fileobj)
    return "".join(chunks[process.stdout]), "".join(chunks[process.stderr])


def checked(result: dict, what: str) -> dict:
    if result["code"] != 0:
        raise SystemExit(f"{what} failed (exit {result['code']}):\n"
                         f"{result['stdout'][-3000:]}\n{result['stderr'][-3000:]}")
    return result


def probe(bin_dir: Path, *args: str, **kwargs) -> dict:
    """Run this file's probe part in the baked repo's environment."""
    return measure([str(bin_dir / "python"), str(Path(__file__).resolve()), "--probe", *args], **kwargs)


def probe_json(bin_dir: Path, *args: str, **kwargs) -> dict:
    result = checked(probe(bin_dir, *args, **kwargs), f"probe {args[0]}")
    return {**result, "report": json.loads(result["stdout"].strip().splitlines()[-1])}


def write_spec(models: Path, slot: str, feature_set: str, params: dict) -> None:
    flow = ", ".join(f"{key}: {value}" for key, value in params.items())
    (models / f"{slot}.yaml").write_text(textwrap.dedent(f"""\
        slot: {slot}
        runtime: "{RUNTIME}"
        data: {{feature_set: {feature_set}, era_step: 1, validation_metrics: false}}
        model:
          type: lightgbm
          params: {{{flow}}}
        """))


def scratch_repo(baked: Path, name: str) -> Path:
    root = WORK / name
    shutil.rmtree(root, ignore_errors=True)
    (root / "models").mkdir(parents=True)
    for folder in ("runtimes", "datasets"):
        shutil.copytree(baked / folder, root / folder)
    return root


@functools.lru_cache(maxsize=1)
def data_version(bin_dir: Path) -> dict:
    """The dataset version the bench's specs train on (they name none): the baked repo's current one,
    `{"name": ..., "feature_sets": {name: size}}` from its datasets/<version>.json."""
    return probe_json(bin_dir, "data-version")["report"]


def ensure_data(bin_dir: Path, folder: Path, shape: dict) -> Path:
    """A synthetic dataset of `shape` (the current version's names) in folder/synthetic-<version>,
    written once and reused."""
    target = folder / f"synthetic-{data_version(bin_dir)['name']}"
    marker = folder / "shape.json"
    if not (marker.exists() and json.loads(marker.read_text()) == shape and (target / "train.parquet").exists()):
        shutil.rmtree(folder, ignore_errors=True)
        print(f"  writing synthetic data {shape} to {target} ...", flush=True)
        checked(probe(bin_dir, "write-data", str(target), json.dumps(shape)), "writing synthetic data")
        marker.write_text(json.dumps(shape))
    return target


def gb(value: float) -> str:
    return f"{value / GB:.2f} GB"


def verdict(ok: bool) -> str:
    return "ok" if ok else "NOT MET"


def build_once(bin_dir: Path, baked: Path, data_root: Path, folder: Path, feature_set: str, label: str,
               params: dict) -> tuple[dict, int]:
    """Our build of one LightGBM spec on `feature_set`: its measurement and the int8 size it trains on."""
    info = probe_json(bin_dir, "data-info", str(folder), feature_set)["report"]
    int8 = info["rows"] * info["features"]
    print(f"\n{label}: {info['rows']:,} rows x {info['features']} {feature_set} features, int8 size {gb(int8)}, "
          f"LightGBM {BUILD_TREES} trees", flush=True)
    repo = scratch_repo(baked, f"build-{feature_set}")
    write_spec(repo / "models", "bench_build", feature_set, params)
    ours = checked(measure([str(bin_dir / "numerai-deploy"), "build", "--synthetic", "--no-check", "--repo", str(repo)],
                           env={"NUMERAI_DATA_DIR": str(data_root)}), "numerai-deploy build")
    limit = LIMIT_INT8_FACTOR * int8 + LIMIT_INT8_EXTRA
    print(f"    ours : {ours['seconds']:7.1f} s, peak {gb(ours['peak'])} = {ours['peak'] / int8:.2f} x int8 "
          f"(bound 0.8 x int8 + 0.5 GB = {gb(limit)}: {verdict(ours['peak'] <= limit)})", flush=True)
    return ours, int8


def medium_data(bin_dir: Path, scale: float) -> tuple[Path, Path]:
    """Numerai's shape by the medium features at `scale`: (NUMERAI_DATA_DIR, dataset folder)."""
    shape = {"scale": scale, "features_all": data_version(bin_dir)["feature_sets"]["medium"], "validation_eras": 2,
             "live_rows": 100}
    data_root = DATA / f"build-scale-{scale:g}"
    return data_root, ensure_data(bin_dir, data_root, shape)


def bench_build(bin_dir: Path, baked: Path, scale: float, cap_gb: float, naive: bool) -> dict:
    data_root, folder = medium_data(bin_dir, scale)
    params = {**LIGHTGBM_PARAMS, "n_estimators": BUILD_TREES}
    ours, int8 = build_once(bin_dir, baked, data_root, folder, "medium", f"[1] build (scale {scale:g})", params)
    figures = {"build_peak_gb": round(ours["peak"] / GB, 3), "build_int8_gb": round(int8 / GB, 3),
               "build_seconds": round(ours["seconds"], 1), "naive_peak_gb": None, "naive_seconds": None,
               "naive_cap_gb": cap_gb}
    if not naive:
        print("    naive: skipped (--skip-naive)")
        return figures
    cap = int(cap_gb * GB)
    result = probe(bin_dir, "naive-build", str(folder), "medium", json.dumps(params), str(cap))
    if result["code"] != 0:
        reason = result["stderr"].strip().splitlines()[-1:] or ["no message"]
        print(f"    naive: exceeded {cap_gb:g} GB (address-space cap; exit {result['code']}: {reason[0][:160]}) "
              f"after {result['seconds']:.1f} s, peak resident {gb(result['peak'])} before it failed")
        within = ours["peak"] <= LIMIT_NAIVE_RATIO * cap
        print(f"    ratio ours/naive: peak < {ours['peak'] / cap:.2f} (the naive path needs more than "
              f"{cap_gb:g} GB; bound 0.5: {verdict(within)})")
        return figures
    print(f"    naive: {result['seconds']:7.1f} s, peak {gb(result['peak'])} = {result['peak'] / int8:.2f} x int8")
    ratio = ours["peak"] / result["peak"]
    print(f"    ratio ours/naive: time {ours['seconds'] / result['seconds']:.2f}, peak {ratio:.2f} "
          f"(bound 0.5: {verdict(ratio <= LIMIT_NAIVE_RATIO)})", flush=True)
    return {**figures, "naive_peak_gb": round(result["peak"] / GB, 3), "naive_seconds": round(result["seconds"], 1)}


def all_features_data(bin_dir: Path, scale: float) -> tuple[Path, Path]:
    """Numerai's shape with every feature of the version at `scale`: (NUMERAI_DATA_DIR, dataset folder)."""
    data_root = DATA / f"all-scale-{scale:g}"
    return data_root, ensure_data(bin_dir, data_root, {"scale": scale, "validation_eras": 2, "live_rows": 100})


def bench_all_features(bin_dir: Path, baked: Path, scale: float) -> dict:
    data_root, folder = all_features_data(bin_dir, scale)
    params = {**LIGHTGBM_PARAMS, "n_estimators": BUILD_TREES}
    ours, int8 = build_once(bin_dir, baked, data_root, folder, "all", f"[1b] build, all features (scale {scale:g}; "
                            "no naive run)", params)
    runner = 7 * GB
    print(f"    fits a 7 GB GitHub runner: {verdict(ours['peak'] < runner)}", flush=True)
    return {"all_features_peak_gb": round(ours["peak"] / GB, 3), "all_features_int8_gb": round(int8 / GB, 3),
            "all_features_seconds": round(ours["seconds"], 1)}


def bench_predict(bin_dir: Path, baked: Path) -> dict:
    shape = {"train_eras": 40, "rows_per_era": 500, "validation_eras": 2, "live_rows": LIVE_ROWS}
    data_root = DATA / "predict"
    folder = ensure_data(bin_dir, data_root, shape)
    repo = scratch_repo(baked, "predict-repo")
    for feature_set, trees in PREDICT_MODELS:
        write_spec(repo / "models", f"bench_{feature_set}", feature_set, {**LIGHTGBM_PARAMS, "n_estimators": trees})
    features = data_version(bin_dir)["feature_sets"]["all"]
    print(f"\n[2] predict: {LIVE_ROWS:,} live rows x {features:,} features, one CPU "
          f"(best of {PREDICT_REPEATS} calls each; peak = the whole process: load, read, predict)", flush=True)
    checked(measure([str(bin_dir / "numerai-deploy"), "build", "--synthetic", "--no-check", "--repo", str(repo)],
                    env={"NUMERAI_DATA_DIR": str(data_root)}), "building the predict models")
    ratios = {}
    for feature_set, trees in PREDICT_MODELS:
        pickle_path = str(next((repo / "dist").glob(f"bench_{feature_set}-*.pkl")))
        # Times from one process calling the two in turn, so that a busy machine slows both alike;
        # peaks from one process per predict function.
        times = probe_json(bin_dir, "predict-time", pickle_path, str(folder))["report"]
        peaks = {mode: probe_json(bin_dir, "predict-once", mode, pickle_path, str(folder))["peak"]
                 for mode in ("ours", "plain")}
        ratio = times["ours"] / times["plain"]
        ratios[f"{feature_set}_{trees}"] = round(ratio, 3)
        line = (f"    {feature_set:6s} {trees:6,} trees: ours {times['ours']:6.2f} s, peak {gb(peaks['ours'])}; "
                f"plain {times['plain']:6.2f} s, peak {gb(peaks['plain'])}; time ratio {ratio:.3f} "
                f"(bound 1.05: {verdict(ratio <= LIMIT_PREDICT_RATIO)}), "
                f"peak ratio {peaks['ours'] / peaks['plain']:.2f}")
        if trees == 20_000:
            fits = times["ours"] < LIMIT_PREDICT_SECONDS and peaks["ours"] < LIMIT_PREDICT_PEAK
            line += f"; < 60 s and < 1 GB: {verdict(fits)}"
        print(line, flush=True)
    # The figure is the worse of the two models.
    return {"predict_time_ratio": max(ratios.values()), "predict_time_ratios": ratios}


def git(repo: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(repo), "-c", "user.name=bench", "-c", "user.email=bench@localhost", *args],
                   check=True, capture_output=True)


def bench_plan(bin_dir: Path, baked: Path) -> dict:
    # The baked repo itself, as a git repository whose models/ holds 100 specs: plan compares
    # against HEAD's specs and package code, which are this environment's.
    repo = WORK / "plan-repo"
    shutil.rmtree(repo, ignore_errors=True)
    shutil.copytree(baked, repo, ignore=shutil.ignore_patterns(".venv", "dist", ".numerai-data", "__pycache__"),
                    symlinks=True)
    shutil.rmtree(repo / "models")
    (repo / "models").mkdir()
    for number in range(PLAN_SPECS):
        write_spec(repo / "models", f"slot_{number:03d}", "small", {**LIGHTGBM_PARAMS, "n_estimators": 100 + number})
    git(repo, "init", "-q")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "100 slots")
    print(f"\n[3] plan: {PLAN_SPECS} specs", flush=True)
    # The copy's src/ is the installed package's code byte for byte, so HEAD's fingerprints and
    # today's agree until a spec changes.
    timings = [checked(measure([str(bin_dir / "numerai-deploy"), "plan", "--repo", str(repo)]),
                       "plan")["seconds"] for _ in range(PLAN_REPEATS)]
    inner = probe_json(bin_dir, "plan-time", str(repo))["report"]
    print(f"    plan (whole command, best of {PLAN_REPEATS}): {min(timings):.2f} s; inside it: "
          f"imports {inner['imports']:.2f} s, specs loaded {inner['load']:.2f} s, "
          f"{PLAN_SPECS} fingerprints {inner['fingerprint'] * 1000:.1f} ms")
    noop = repo / "models" / "slot_000.yaml"
    noop.write_text("# a comment only: nothing the pickle depends on\n" + noop.read_text())
    unchanged = matrix_size(bin_dir, repo)
    changed = repo / "models" / "slot_001.yaml"
    changed.write_text(changed.read_text().replace("n_estimators: 101", "n_estimators: 150"))
    one = matrix_size(bin_dir, repo)
    print(f"    matrix for a no-op change: {unchanged} (must be 0: {verdict(unchanged == 0)}); "
          f"for a one-slot change: {one} (must be 1: {verdict(one == 1)})", flush=True)
    return {"plan_seconds": round(min(timings), 2), "plan_noop_matrix": unchanged, "plan_one_slot_matrix": one}


def bench_transfer(bin_dir: Path, scale: float) -> dict:
    _, folder = all_features_data(bin_dir, scale)
    print("\n[4] transfer: a ranged remote read of the small feature set of train.parquet (all features)", flush=True)
    report = probe_json(bin_dir, "transfer", str(folder / "train.parquet"), str(WORK / "transfer"))["report"]
    if report["fraction"] is None:
        print(f"    not measured: {report['note']}")
    else:
        print(f"    {report['transferred'] / 1e6:.1f} MB of {report['size'] / 1e6:.1f} MB = "
              f"{report['fraction']:.3f} of the file, {report['requests']} requests, {report['seconds']:.1f} s")
    return {"transfer_fraction_small": report["fraction"], "transfer_note": report["note"]}


def pip_cache_state(python: Path) -> str:
    """What pip had to install from: its cache (warm or cold, as `pip cache dir` finds it) and any
    local wheel folder it is pointed at (PIP_FIND_LINKS: nothing downloaded for what is there)."""
    found = subprocess.run([str(python), "-m", "pip", "cache", "dir"], capture_output=True, text=True)
    cache = Path(found.stdout.strip()) if found.returncode == 0 and found.stdout.strip() else None
    size = sum(path.stat().st_size for path in cache.rglob("*") if path.is_file()) if cache and cache.exists() else 0
    state = "disabled" if cache is None else (f"warm ({size / GB:.1f} GB)" if size > 100e6 else "cold")
    links = os.environ.get("PIP_FIND_LINKS")
    return state + (f"; wheels also from PIP_FIND_LINKS={links}" if links else "")


def bench_install(baked: Path) -> dict:
    """A fresh environment of the baked package with the pins: uv (cache warm) against pip."""
    sys.path.insert(0, str(ROOT / "tests"))
    from baking import constraints_file, pins_file, uv
    from pythons import find_python

    python = find_python(RUNTIME)
    # Every install's constraints: the image's lock less the package's own tooling (tests/baking.py).
    pins = str(constraints_file(baked, RUNTIME, WORK))
    print(f"\n[5] install: the baked package with {pins_file(baked, RUNTIME)} (less numerai-tools) into a fresh "
          "environment", flush=True)
    environment = {"UV_PYTHON_DOWNLOADS": "never"}
    venv = WORK / "install-uv"
    shutil.rmtree(venv, ignore_errors=True)
    checked(measure([uv(), "venv", "-q", "--python", python, str(venv)], env=environment), "uv venv")
    warm = checked(measure([uv(), "pip", "install", "-q", "--python", str(venv / "bin" / "python"), ".", "-c", pins],
                           cwd=baked, env=environment), "uv pip install")
    print(f"    uv pip install (uv's cache warm): {warm['seconds']:.1f} s", flush=True)
    venv = WORK / "install-pip"
    shutil.rmtree(venv, ignore_errors=True)
    checked(measure([python, "-m", "venv", str(venv)]), "python -m venv")
    cache = pip_cache_state(venv / "bin" / "python")
    plain = checked(measure([str(venv / "bin" / "python"), "-m", "pip", "install", "-q", "--disable-pip-version-check",
                             ".", "-c", pins], cwd=baked), "pip install")
    print(f"    pip install (pip's cache {cache}): {plain['seconds']:.1f} s; uv/pip "
          f"{warm['seconds'] / plain['seconds']:.2f}", flush=True)
    shutil.rmtree(WORK / "install-uv", ignore_errors=True)
    shutil.rmtree(WORK / "install-pip", ignore_errors=True)
    return {"install_warm_seconds": round(warm["seconds"], 1), "install_pip_seconds": round(plain["seconds"], 1),
            "install_pip_cache": cache}


def disk_bytes(folder: Path) -> int:
    """Bytes of the files under `folder` (a link counted once, as the disk holds it)."""
    seen, total = set(), 0
    for path in Path(folder).rglob("*"):
        if path.is_file() and not path.is_symlink():
            status = path.stat()
            if (status.st_dev, status.st_ino) not in seen:
                seen.add((status.st_dev, status.st_ino))
                total += status.st_blocks * 512
    return total


def bench_help(bin_dir: Path) -> dict:
    timings = [checked(measure([str(bin_dir / "numerai-deploy"), "--help"]), "--help")["seconds"]
               for _ in range(PLAN_REPEATS)]
    print(f"\n[6] numerai-deploy --help: {min(timings):.2f} s (best of {PLAN_REPEATS})", flush=True)
    return {"help_seconds": round(min(timings), 2)}


def bench_lean_install(baked: Path) -> dict:
    """A fresh default environment under the constraints every install uses, from an empty uv cache:
    its install time and disk, and the cache it filled (what a job's uv cache holds)."""
    sys.path.insert(0, str(ROOT / "tests"))
    from baking import constraints_file, uv
    from pythons import find_python

    python = find_python(RUNTIME)
    venv, cache = WORK / "install-lean", WORK / "install-lean-uv-cache"
    for folder in (venv, cache):
        shutil.rmtree(folder, ignore_errors=True)
    environment = {"UV_PYTHON_DOWNLOADS": "never", "UV_CACHE_DIR": str(cache)}
    checked(measure([uv(), "venv", "-q", "--python", python, str(venv)], env=environment), "uv venv")
    constraints = constraints_file(baked, RUNTIME, venv)
    cold = checked(measure([uv(), "pip", "install", "-q", "--python", str(venv / "bin" / "python"), ".",
                            "-c", str(constraints)], cwd=baked, env=environment), "uv pip install (cold)")
    size, cached = disk_bytes(venv), disk_bytes(cache)
    print(f"    the package under its image's lock less numerai-tools: {gb(size)} installed; "
          f"{cold['seconds']:.1f} s from an empty uv cache (which then holds {gb(cached)}; "
          f"index: {os.environ.get('UV_INDEX_URL') or os.environ.get('UV_DEFAULT_INDEX') or 'as uv is configured'})",
          flush=True)
    shutil.rmtree(venv, ignore_errors=True)
    return {"install_disk_gb": round(size / GB, 3), "install_cold_seconds": round(cold["seconds"], 1),
            "install_uv_cache_gb": round(cached / GB, 3)}


def bench_capacity(bin_dir: Path, baked: Path, scale: float, figures: dict) -> dict:
    """The capacity plan's estimates against the peaks measured: the LightGBM builds of [1] and the Ridge
    build of [1c] (solved from streamed statistics) on the medium set of the same data."""
    data_root = DATA / f"build-scale-{scale:g}"
    folders = {"medium": next(data_root.glob("synthetic-*")), "all": all_features_data(bin_dir, scale)[1]}
    if figures.get("ridge_peak_gb") is None:
        figures.update(bench_ridge(bin_dir, baked, scale))
    builds = [("medium", "lightgbm", figures["build_peak_gb"]), ("all", "lightgbm", figures["all_features_peak_gb"]),
              ("medium", "ridge", figures["ridge_peak_gb"])]
    print(f"\n[6b] capacity plan: estimate against measured peak (runtimes/capacity.json of {baked.name})", flush=True)
    errors = []
    for feature_set, model, measured in builds:
        info = probe_json(bin_dir, "data-info", str(folders[feature_set]), feature_set)["report"]
        estimated = probe_json(bin_dir, "capacity-estimate", str(baked), model, feature_set,
                               str(info["rows"]), str(info["features"]))["report"]["memory_gb"]
        errors.append(abs(estimated - measured) / measured)
        print(f"    {model:8s} {feature_set:6s} {info['rows']:,} x {info['features']}: estimate "
              f"{estimated:.2f} GB, measured {measured:.2f} GB, error {errors[-1]:.0%}", flush=True)
    return {"capacity_error": round(max(errors), 3)}


def build_spec(bin_dir: Path, baked: Path, data_root: Path, name: str, spec: str) -> dict:
    """`numerai-deploy build --synthetic` of one spec (YAML text) in a scratch repo, measured."""
    repo = scratch_repo(baked, f"build-{name}")
    (repo / "models" / f"{name}.yaml").write_text(textwrap.dedent(spec))
    return checked(measure([str(bin_dir / "numerai-deploy"), "build", "--synthetic", "--no-check", "--repo",
                            str(repo)], env={"NUMERAI_DATA_DIR": str(data_root)}), f"the {name} build")


def report_int8_bound(name: str, label: str, measured: dict, int8: int, estimate_gb: float) -> dict:
    """The build's peak against its int8 bound and the capacity plan's estimate; its BENCH figures."""
    factor, extra = INT8_BOUNDS[name]
    limit = factor * int8 / GB + extra
    peak = measured["peak"] / GB
    print(f"{label}: {measured['seconds']:.1f} s, peak {peak:.2f} GB = {measured['peak'] / int8:.2f} x int8 "
          f"{int8 / GB:.2f} GB (bound {factor} x int8 + {extra} GB = {limit:.2f} GB: {verdict(peak <= limit)}); "
          f"capacity plan {estimate_gb:.2f} GB (error {abs(estimate_gb - peak) / peak:.0%})", flush=True)
    return {f"{name}_peak_gb": round(peak, 3), f"{name}_int8_gb": round(int8 / GB, 3),
            f"{name}_seconds": round(measured["seconds"], 1), f"{name}_estimate_gb": round(estimate_gb, 3)}


def bench_ridge(bin_dir: Path, baked: Path, scale: float) -> dict:
    """[1c] a scikit-learn Ridge on the medium set: solved from XᵀX and Xᵀy read a chunk at a time."""
    data_root, folder = medium_data(bin_dir, scale)
    info = probe_json(bin_dir, "data-info", str(folder), "medium")["report"]
    measured = build_spec(bin_dir, baked, data_root, "ridge", f"""\
        slot: bench_ridge
        runtime: "{RUNTIME}"
        data: {{feature_set: medium, era_step: 1, validation_metrics: false}}
        model: {{type: sklearn, estimator: sklearn.linear_model.Ridge}}
        """)
    estimated = probe_json(bin_dir, "capacity-estimate", str(baked), "ridge", "medium", str(info["rows"]),
                           str(info["features"]))["report"]["memory_gb"]
    return report_int8_bound("ridge", f"\n[1c] Ridge, medium set (scale {scale:g}; {info['rows']:,} rows x "
                             f"{info['features']})", measured, info["rows"] * info["features"], estimated)


def bench_train_validation(bin_dir: Path, baked: Path, scale: float) -> dict:
    """[1d] LightGBM on every feature of train plus validation (include_validation), Numerai's advice for a
    final model; validation eras at the same scale as the training eras."""
    eras = max(round(data_version(bin_dir)["validation_eras"] * scale), 2)
    data_root = DATA / f"train-validation-scale-{scale:g}"
    folder = ensure_data(bin_dir, data_root, {"scale": scale, "validation_eras": eras, "live_rows": 100})
    info = probe_json(bin_dir, "data-info", str(folder), "all")["report"]
    rows = info["rows"] + info["validation_rows"]
    params = ", ".join(f"{key}: {value}" for key, value in {**LIGHTGBM_PARAMS, "n_estimators": BUILD_TREES}.items())
    measured = build_spec(bin_dir, baked, data_root, "train_validation", f"""\
        slot: bench_train_validation
        runtime: "{RUNTIME}"
        data: {{feature_set: all, era_step: 1, include_validation: true, validation_metrics: false}}
        model: {{type: lightgbm, params: {{{params}}}}}
        """)
    estimated = probe_json(bin_dir, "capacity-estimate", str(baked), "lightgbm", "all", str(rows),
                           str(info["features"]))["report"]["memory_gb"]
    figures = report_int8_bound("train_validation", f"\n[1d] train + validation, all features (scale {scale:g}; "
                                f"{rows:,} rows x {info['features']})", measured, rows * info["features"], estimated)
    print(f"    fits a 16 GB public GitHub runner: {verdict(measured['peak'] < 16 * GB)}", flush=True)
    # uv's cache: the capacity plan's figure (the install part, which measures it, runs later).
    uv_cache_gb = json.loads((baked / "runtimes" / "capacity.json").read_text())["actions_cache"]["uv_gb"]
    disk = job_disk(bin_dir, "build-train_validation", data_root, uv_cache_gb,
                    f"    the job's disk after this build and its check (uv cache: capacity.json's {uv_cache_gb} GB)")
    print(f"    job disk within {LIMIT_JOB_DISK_GB:g} GB of the public runner's 14: "
          f"{verdict(disk <= LIMIT_JOB_DISK_GB * GB)}", flush=True)
    return {**figures, "train_validation_job_disk_gb": round(disk / GB, 3)}


def bench_job_disk(bin_dir: Path, scale: float, figures: dict) -> dict:
    """[6c] what a build job's disk holds after an all-features build and its check."""
    if figures.get("all_features_peak_gb") is None or figures.get("install_uv_cache_gb") is None:
        return {"job_disk_gb": None}
    data_root, _ = all_features_data(bin_dir, scale)
    total = job_disk(bin_dir, "build-all", data_root, figures["install_uv_cache_gb"],
                     "\n[6c] a build job's disk after an all-features build and its check")
    return {"job_disk_gb": round(total / GB, 3)}


def job_disk(bin_dir: Path, build: str, data_root: Path, uv_cache_gb: float, label: str) -> float:
    """Bytes a build job's disk holds after the build in WORK/`build` and the check of its pickle (run
    here): the environments (the package's and the check's), uv's cache and the data."""
    [pickle] = (WORK / build / "dist").glob("*.pkl")
    runtimes = WORK / "runtime-cache"
    shutil.rmtree(runtimes, ignore_errors=True)
    checked(measure([str(bin_dir / "numerai-deploy"), "check", str(pickle), "--repo", str(WORK / build)],
                    env={"NUMERAI_DATA_DIR": str(data_root), "NUMERAI_RUNTIME_CACHE": str(runtimes)}),
            "numerai-deploy check")
    parts = {"environment": disk_bytes(bin_dir.parent), "check environment": disk_bytes(runtimes),
             "uv cache": uv_cache_gb * GB, "data": disk_bytes(data_root)}
    total = sum(parts.values())
    print(f"{label}: " + ", ".join(f"{name} {gb(size)}" for name, size in parts.items()) + f"; in all {gb(total)}",
          flush=True)
    return total


def matrix_size(bin_dir: Path, repo: Path) -> int:
    """Slots `plan --changed-since HEAD` would build."""
    command = [str(bin_dir / "numerai-deploy"), "plan", "--changed-since", "HEAD", "--repo", str(repo)]
    result = checked(measure(command, cwd=repo), "plan --changed-since HEAD")
    return len(json.loads(result["stdout"].strip().splitlines()[-1])["include"])


def driver(args) -> int:
    global WORK
    WORK = args.work.resolve()
    sys.path.insert(0, str(ROOT / "tests"))
    from baking import bake, install

    print(f"machine: {os.cpu_count()} cores, Python {RUNTIME} with the numerai_predict_py_3_12 pins", flush=True)
    shutil.rmtree(WORK, ignore_errors=True)
    WORK.mkdir(parents=True)
    baked = bake(WORK)
    bin_dir = install(baked, RUNTIME)
    versions = probe_json(bin_dir, "versions")["report"]
    print("libraries: " + ", ".join(f"{name} {version}" for name, version in versions.items()), flush=True)
    figures = {"scale": args.scale, "build_peak_gb": None, "build_int8_gb": None, "naive_peak_gb": None,
               "all_features_peak_gb": None, "all_features_int8_gb": None, "predict_time_ratio": None,
               "transfer_fraction_small": None, "install_warm_seconds": None, "install_pip_seconds": None,
               "help_seconds": None, "install_disk_gb": None, "install_cold_seconds": None, "capacity_error": None,
               "job_disk_gb": None, "ridge_peak_gb": None, "ridge_int8_gb": None, "train_validation_peak_gb": None,
               "train_validation_int8_gb": None, "train_validation_job_disk_gb": None}
    if "ridge" in args.only:
        figures.update(bench_ridge(bin_dir, baked, args.scale))
    if "train-validation" in args.only:
        figures.update(bench_train_validation(bin_dir, baked, args.scale))
    if "build" in args.only:
        figures.update(bench_build(bin_dir, baked, args.scale, args.naive_cap_gb, not args.skip_naive))
        figures.update(bench_all_features(bin_dir, baked, args.scale))
        figures.update(bench_capacity(bin_dir, baked, args.scale, figures))
    if "predict" in args.only:
        figures.update(bench_predict(bin_dir, baked))
    if "plan" in args.only:
        figures.update(bench_plan(bin_dir, baked))
    if "transfer" in args.only:
        figures.update(bench_transfer(bin_dir, args.scale))
    if "install" in args.only:
        figures.update(bench_install(baked))
        figures.update(bench_lean_install(baked))
    if "help" in args.only:
        figures.update(bench_help(bin_dir))
    figures.update(bench_job_disk(bin_dir, args.scale, figures))
    print_runner_bounds(figures)
    print("BENCH " + json.dumps(figures), flush=True)
    return 0


def print_runner_bounds(figures: dict) -> None:
    """Each runner bound against its figure (a figure this run did not measure: not measured)."""
    print(f"\n[7] GitHub runner bounds (scale {figures['scale']:g}; they apply at full scale)", flush=True)
    for name, (factor, extra) in INT8_BOUNDS.items():
        peak, int8 = figures.get(f"{name}_peak_gb"), figures.get(f"{name}_int8_gb")
        if peak is None or int8 is None:
            print(f"    {name}_peak_gb <= {factor} x {name}_int8_gb + {extra}: not measured", flush=True)
            continue
        limit = factor * int8 + extra
        print(f"    {name}_peak_gb {peak} <= {factor} x {int8} + {extra} = {limit:.2f}: {verdict(peak <= limit)}",
              flush=True)
    for name, limit in RUNNER_BOUNDS.items():
        value = figures.get(name)
        print(f"    {name} {value} <= {limit}: {'not measured' if value is None else verdict(value <= limit)}",
              flush=True)


# ---------------------------------------------------------------- the probes (baked environment)

def probe_versions() -> dict:
    from importlib import metadata

    return {name: metadata.version(name) for name in ("numpy", "pandas", "pyarrow", "lightgbm")}


def probe_version():
    """The current dataset version of the repository the package was installed from (the bake)."""
    from numerai_models.datasets import current_version, home_folder, load_versions

    return current_version(load_versions(home_folder()))


def probe_data_version() -> dict:
    version = probe_version()
    validation_eras = round((version.validation_rows or 0) / version.rows_per_era)
    return {"name": version.name, "feature_sets": version.feature_sets, "validation_eras": validation_eras}


def probe_write_data(folder: str, shape_json: str) -> dict:
    from numerai_models.data.synthetic import Shape, write_dataset

    fields, version = json.loads(shape_json), probe_version()
    scale = fields.pop("scale", None)
    # Full-size feature sets either way; `scale` also takes Numerai's rows per era and a share of its eras.
    shape = Shape.numerai(version, scale, **fields) if scale is not None else Shape.of(version, 1.0, **fields)
    write_dataset(Path(folder), shape)
    return {"rows": shape.train_rows}


def probe_data_info(folder: str, feature_set: str) -> dict:
    import pyarrow.parquet as pq
    from numerai_models.data.read import feature_list

    features = feature_list(Path(folder) / "features.json", feature_set)
    validation = Path(folder) / "validation.parquet"
    return {"rows": pq.ParquetFile(Path(folder) / "train.parquet").metadata.num_rows, "features": len(features),
            "validation_rows": pq.ParquetFile(validation).metadata.num_rows if validation.exists() else 0}


def probe_naive_build(folder: str, feature_set: str, params_json: str, cap_bytes: str) -> dict:
    """What a first script does: the whole file into pandas, the frame into LightGBM; under an
    address-space cap, so that a path needing more than the machine has fails instead."""
    resource.setrlimit(resource.RLIMIT_AS, (int(cap_bytes), int(cap_bytes)))
    import lightgbm
    import pandas as pd
    from numerai_models.data.read import feature_list

    features = feature_list(Path(folder) / "features.json", feature_set)
    train = pd.read_parquet(Path(folder) / "train.parquet")
    model = lightgbm.LGBMRegressor(**json.loads(params_json), verbosity=-1)
    model.fit(train[features], train["target"])
    return {"trees": model.booster_.num_trees()}


def one_cpu() -> None:
    """Pin this process to one CPU before numpy or LightGBM start threads (Numerai gives one)."""
    os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})


def load_predictors(pickle_path: str, folder: str):
    """The pickled predict, a plain docs-style wrapper of the same booster, and the live data."""
    import inspect

    import pandas as pd

    ours = pd.read_pickle(pickle_path)
    bundle = inspect.getclosurevars(ours).nonlocals["bundle"]
    booster, features = bundle["model"]["estimator"], bundle["features"]

    def plain(live_features, live_benchmark_models):  # as Numerai's docs write it
        live_predictions = booster.predict(live_features[features])
        return pd.Series(live_predictions, index=live_features.index).to_frame("prediction")

    live = pd.read_parquet(Path(folder) / "live.parquet")
    benchmarks = pd.read_parquet(Path(folder) / "live_benchmark_models.parquet")
    return {"ours": ours, "plain": plain}, live, benchmarks


def probe_predict_time(pickle_path: str, folder: str) -> dict:
    one_cpu()
    predictors, live, benchmarks = load_predictors(pickle_path, folder)
    best = {}
    for repeat in range(PREDICT_REPEATS):
        order = list(predictors.items())
        for mode, predict in order if repeat % 2 == 0 else reversed(order):
            started = time.perf_counter()
            result = predict(live, benchmarks)
            seconds = time.perf_counter() - started
            best[mode] = min(seconds, best.get(mode, seconds))
            assert len(result) == len(live) and list(result.columns) == ["prediction"], mode
    return best


def probe_predict_once(mode: str, pickle_path: str, folder: str) -> dict:
    one_cpu()
    predictors, live, benchmarks = load_predictors(pickle_path, folder)
    result = predictors[mode](live, benchmarks)
    return {"rows": len(result)}


def probe_plan_time(repo: str) -> dict:
    started = time.perf_counter()
    from numerai_models.artifact.fingerprint import fingerprint
    from numerai_models.commands.common import load_all, runtime_of
    from numerai_models.repo import Repo
    from numerai_models.settings import load_settings

    imported = time.perf_counter()
    root = Repo(Path(repo), load_settings())
    specs, catalogue = load_all(root)
    loaded = time.perf_counter()
    prints = {item.spec.slot: fingerprint(item.spec, runtime_of(item, catalogue), root.package_dir) for item in specs}
    done = time.perf_counter()
    return {"imports": imported - started, "load": loaded - imported, "fingerprint": done - loaded,
            "slots": len(prints)}


def ranged_server(path: Path):
    """A local HTTP server of `path` that serves byte ranges (206), as Numerai's storage is expected to."""
    import http.server
    import threading

    data = path.read_bytes()

    class Handler(http.server.BaseHTTPRequestHandler):
        def log_message(self, *args):  # quiet
            pass

        def do_HEAD(self):
            self.answer(head=True)

        def do_GET(self):
            self.answer(head=False)

        def answer(self, head: bool) -> None:
            start, stop, status = 0, len(data), 200
            wanted = self.headers.get("Range", "")
            if wanted.startswith("bytes="):
                first, _, last = wanted[len("bytes="):].partition("-")
                if first:
                    start, stop = int(first), min(int(last) + 1 if last else len(data), len(data))
                else:
                    start = max(len(data) - int(last), 0)
                status = 206
            self.send_response(status)
            self.send_header("Accept-Ranges", "bytes")
            self.send_header("ETag", '"bench"')
            self.send_header("Content-Length", str(stop - start))
            if status == 206:
                self.send_header("Content-Range", f"bytes {start}-{stop - 1}/{len(data)}")
            self.end_headers()
            if not head:
                self.wfile.write(data[start:stop])

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}/{path.name}"


def probe_transfer(parquet_path: str, work: str) -> dict:
    """The share of the file a ranged read of the small feature set transfers, when the package
    has the reader (data/remote.py `read_remote_columns`, returning a Transfer with `fraction`)."""
    import importlib

    try:
        remote = importlib.import_module("numerai_models.data.remote")
    except ImportError:
        return {"fraction": None, "note": "the package has no ranged remote-parquet reader (data/remote.py)"}
    read = getattr(remote, "read_remote_columns", None)
    if read is None:
        return {"fraction": None, "note": "data/remote.py has no read_remote_columns"}
    from numerai_models.data.read import feature_list

    path = Path(parquet_path)
    features = feature_list(path.parent / "features.json", "small")
    server, url = ranged_server(path)
    try:
        from numerai_models.numerai.datasets import public_api
        from numerai_models.settings import load_settings

        transfer = read(url, features, Path(work) / "train-small.parquet", api=public_api(load_settings()))
    except Exception as error:  # report it, whatever the reader raised
        return {"fraction": None, "note": f"the reader failed: {type(error).__name__}: {error}"[:300]}
    finally:
        server.shutdown()
    if transfer is None:
        return {"fraction": None, "note": "the reader reads the whole file for these columns"}
    return {"fraction": round(transfer.fraction, 4), "transferred": transfer.transferred, "size": transfer.file_size,
            "requests": transfer.requests, "seconds": transfer.seconds,
            "note": f"{len(features)} small features of {path.name} from a local ranged HTTP server"}


def probe_capacity_estimate(repo: str, model: str, feature_set: str, rows: str, features: str) -> dict:
    """The capacity plan's estimate (plan/capacity.py) of a build of `rows` x `features` on one era step."""
    from numerai_models.modelspec import ModelSpec
    from numerai_models.plan.capacity import estimate, load_coefficients
    from numerai_models.plan.shapes import DatasetShape

    version = probe_version().name
    definition = ({"type": "lightgbm"} if model == "lightgbm"
                  else {"type": "sklearn", "estimator": "sklearn.linear_model.Ridge"})  # "ridge": streamed
    spec = ModelSpec.model_validate({"slot": "bench", "data": {"version": version, "feature_set": feature_set,
                                                               "validation_metrics": False}, "model": definition})
    shape = DatasetShape(version, int(rows), 1, None, {feature_set: int(features)}, "bench")
    found = estimate(spec, shape, load_coefficients(Path(repo) / "runtimes"))
    return {"memory_gb": found.memory_gb, "disk_gb": found.disk_gb}


PROBES = {"versions": probe_versions, "data-version": probe_data_version, "write-data": probe_write_data,
          "data-info": probe_data_info, "naive-build": probe_naive_build, "predict-time": probe_predict_time,
          "predict-once": probe_predict_once, "plan-time": probe_plan_time, "transfer": probe_transfer,
          "capacity-estimate": probe_capacity_estimate}


PARTS = ("build", "ridge", "train-validation", "predict", "plan", "transfer", "install", "help")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=float, default=1.0,
                        help="build data as this fraction of Numerai's training eras (default 1: ~2.7M rows)")
    parser.add_argument("--naive-cap-gb", type=float, default=16.0,
                        help="address-space cap of the naive build, GB (default 16: a GitHub-hosted runner)")
    parser.add_argument("--skip-naive", action="store_true", help="do not run the naive build")
    parser.add_argument("--only", nargs="+", choices=PARTS, default=list(PARTS),
                        help="which figures to measure (default: all)")
    parser.add_argument("--work", type=Path, default=WORK,
                        help="the bench's scratch folder, emptied first (default .work/bench; the data stays in "
                             ".work/bench-data): another folder lets two benches run at once")
    parser.add_argument("--probe", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.probe:
        name, *rest = args.probe
        print(json.dumps(PROBES[name](*rest)))
        return 0
    return driver(args)


if __name__ == "__main__":
    sys.exit(main())
