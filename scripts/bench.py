"""`make bench`: build, predict and plan figures of a baked repo, each against the naive path.

Bakes the template into .work/bench/numerai-models, installs it on Python 3.12 with the
numerai_predict_py_3_12 pins, and prints, measured in this run:

1. build: wall time and peak memory of `numerai-deploy build` on synthetic data of Numerai's real
   training shape (about 2.7M rows by the 705 medium features; `--scale` for fewer eras), against
   the naive path on the same file (pd.read_parquet of the whole file, then LightGBM fitted on the
   frame); and the peak as a multiple of the int8 size of the selected columns.
2. predict: wall time and peak memory of the built pickle on 6,000 live rows with all 2,376
   features, on one CPU, for LightGBM models of 20,000 trees (small set) and 2,000 trees (medium
   set), against a plain `model.predict(live[features])` wrapper of the same booster.
3. plan: time for a repo of 100 specs, and how many slots a no-op change and a one-slot change
   put in the build matrix (`plan --changed-since HEAD`).

Every figure comes from a separate process; its peak memory is that process's own maximum
resident set size (from wait4), not the machine's. The naive build runs under an address-space
cap (RLIMIT_AS, --naive-cap-gb) and is reported as "exceeded N GB" when it does not fit.

The same file runs inside the baked repo's environment as the measuring child (`--probe ...`);
that part imports the baked package and its libraries, the driver only the standard library.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import textwrap
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
WORK = ROOT / ".work" / "bench"
DATA = ROOT / ".work" / "bench-data"
GB = 1e9
RUNTIME = "3.12"
DATA_VERSION = "v5.2"
BUILD_TREES = 5
LIVE_ROWS = 6000
PREDICT_REPEATS = 3
PLAN_SPECS = 100
PLAN_REPEATS = 3
# Bounds from the issue: build peak <= 1.5 x int8 + 1 GB and <= half the naive peak; predict no
# slower than the plain wrapper (ratio <= 1.05); 20,000 trees in < 60 s and < 1 GB on one thread.
LIMIT_INT8_FACTOR, LIMIT_INT8_EXTRA, LIMIT_NAIVE_RATIO = 1.5, 1.0 * GB, 0.5
LIMIT_PREDICT_RATIO, LIMIT_PREDICT_SECONDS, LIMIT_PREDICT_PEAK = 1.05, 60.0, 1.0 * GB

# Numerai's example-scripts parameters, at the sizes the issue names.
LIGHTGBM_PARAMS = {"learning_rate": 0.01, "max_depth": 5, "num_leaves": 31, "colsample_bytree": 0.1}
PREDICT_MODELS = (("small", 20_000), ("medium", 2_000))


# ---------------------------------------------------------------- the driver (standard library)

def measure(command: list[str], *, env: dict | None = None, cwd: Path | None = None) -> dict:
    """Run `command`; its wall time, peak resident memory (its own, from wait4), exit code, output."""
    environment = {**os.environ, **(env or {})}
    environment.pop("VIRTUAL_ENV", None)
    started = time.monotonic()
    with subprocess.Popen(command, cwd=cwd, env=environment, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE) as process:
        # communicate() would reap the child itself; drain the pipes, then reap it with wait4.
        stdout, stderr = drain(process)
        _, status, usage = os.wait4(process.pid, 0)
        process.returncode = os.waitstatus_to_exitcode(status)
    return {"seconds": time.monotonic() - started, "peak": usage.ru_maxrss * 1024, "code": process.returncode,
            "stdout": stdout, "stderr": stderr}


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
        data: {{version: {DATA_VERSION}, feature_set: {feature_set}, era_step: 1, validation_metrics: false}}
        model:
          type: lightgbm
          params: {{{flow}}}
        """))


def scratch_repo(baked: Path, name: str) -> Path:
    root = WORK / name
    shutil.rmtree(root, ignore_errors=True)
    (root / "models").mkdir(parents=True)
    shutil.copytree(baked / "runtimes", root / "runtimes")
    return root


def ensure_data(bin_dir: Path, folder: Path, shape: dict) -> Path:
    """A synthetic dataset of `shape` in folder/synthetic-<version>, written once and reused."""
    target = folder / f"synthetic-{DATA_VERSION}"
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


def bench_build(bin_dir: Path, baked: Path, scale: float, cap_gb: float, naive: bool) -> None:
    shape = {"scale": scale, "features_all": 705, "validation_eras": 2, "live_rows": 100}
    data_root = DATA / f"build-scale-{scale:g}"
    folder = ensure_data(bin_dir, data_root, shape)
    info = probe_json(bin_dir, "data-info", str(folder), "medium")["report"]
    int8 = info["rows"] * info["features"]
    print(f"\n[1] build: {info['rows']:,} rows x {info['features']} medium features, int8 size {gb(int8)}, "
          f"LightGBM {BUILD_TREES} trees (scale {scale:g})", flush=True)
    repo = scratch_repo(baked, "build-repo")
    params = {**LIGHTGBM_PARAMS, "n_estimators": BUILD_TREES}
    write_spec(repo / "models", "bench_build", "medium", params)
    ours = checked(measure([str(bin_dir / "numerai-deploy"), "build", "--synthetic", "--no-check", "--repo", str(repo)],
                           env={"NUMERAI_DATA_DIR": str(data_root)}), "numerai-deploy build")
    limit = LIMIT_INT8_FACTOR * int8 + LIMIT_INT8_EXTRA
    print(f"    ours : {ours['seconds']:7.1f} s, peak {gb(ours['peak'])} = {ours['peak'] / int8:.2f} x int8 "
          f"(bound 1.5 x int8 + 1 GB = {gb(limit)}: {verdict(ours['peak'] <= limit)})", flush=True)
    if not naive:
        print("    naive: skipped (--skip-naive)")
        return
    cap = int(cap_gb * GB)
    result = probe(bin_dir, "naive-build", str(folder), "medium", json.dumps(params), str(cap))
    if result["code"] != 0:
        reason = result["stderr"].strip().splitlines()[-1:] or ["no message"]
        print(f"    naive: exceeded {cap_gb:g} GB (address-space cap; exit {result['code']}: {reason[0][:160]}) "
              f"after {result['seconds']:.1f} s, peak resident {gb(result['peak'])} before it failed")
        within = ours["peak"] <= LIMIT_NAIVE_RATIO * cap
        print(f"    ratio ours/naive: peak < {ours['peak'] / cap:.2f} (the naive path needs more than "
              f"{cap_gb:g} GB; bound 0.5: {verdict(within)})")
        return
    print(f"    naive: {result['seconds']:7.1f} s, peak {gb(result['peak'])} = {result['peak'] / int8:.2f} x int8")
    ratio = ours["peak"] / result["peak"]
    print(f"    ratio ours/naive: time {ours['seconds'] / result['seconds']:.2f}, peak {ratio:.2f} "
          f"(bound 0.5: {verdict(ratio <= LIMIT_NAIVE_RATIO)})", flush=True)


def bench_predict(bin_dir: Path, baked: Path) -> None:
    shape = {"train_eras": 40, "rows_per_era": 500, "validation_eras": 2, "live_rows": LIVE_ROWS,
             "features_all": 2376, "features_medium": 705, "features_small": 42}
    data_root = DATA / "predict"
    folder = ensure_data(bin_dir, data_root, shape)
    repo = scratch_repo(baked, "predict-repo")
    for feature_set, trees in PREDICT_MODELS:
        write_spec(repo / "models", f"bench_{feature_set}", feature_set, {**LIGHTGBM_PARAMS, "n_estimators": trees})
    print(f"\n[2] predict: {LIVE_ROWS:,} live rows x {shape['features_all']:,} features, one CPU "
          f"(best of {PREDICT_REPEATS} calls each; peak = the whole process: load, read, predict)", flush=True)
    checked(measure([str(bin_dir / "numerai-deploy"), "build", "--synthetic", "--no-check", "--repo", str(repo)],
                    env={"NUMERAI_DATA_DIR": str(data_root)}), "building the predict models")
    for feature_set, trees in PREDICT_MODELS:
        pickle_path = str(next((repo / "dist").glob(f"bench_{feature_set}-*.pkl")))
        # Times from one process calling the two in turn, so that a busy machine slows both alike;
        # peaks from one process per predict function.
        times = probe_json(bin_dir, "predict-time", pickle_path, str(folder))["report"]
        peaks = {mode: probe_json(bin_dir, "predict-once", mode, pickle_path, str(folder))["peak"]
                 for mode in ("ours", "plain")}
        ratio = times["ours"] / times["plain"]
        line = (f"    {feature_set:6s} {trees:6,} trees: ours {times['ours']:6.2f} s, peak {gb(peaks['ours'])}; "
                f"plain {times['plain']:6.2f} s, peak {gb(peaks['plain'])}; time ratio {ratio:.3f} "
                f"(bound 1.05: {verdict(ratio <= LIMIT_PREDICT_RATIO)}), "
                f"peak ratio {peaks['ours'] / peaks['plain']:.2f}")
        if trees == 20_000:
            fits = times["ours"] < LIMIT_PREDICT_SECONDS and peaks["ours"] < LIMIT_PREDICT_PEAK
            line += f"; < 60 s and < 1 GB: {verdict(fits)}"
        print(line, flush=True)


def git(repo: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(repo), "-c", "user.name=bench", "-c", "user.email=bench@localhost", *args],
                   check=True, capture_output=True)


def bench_plan(bin_dir: Path, baked: Path) -> None:
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


def matrix_size(bin_dir: Path, repo: Path) -> int:
    """Slots `plan --changed-since HEAD` would build."""
    command = [str(bin_dir / "numerai-deploy"), "plan", "--changed-since", "HEAD", "--repo", str(repo)]
    result = checked(measure(command, cwd=repo), "plan --changed-since HEAD")
    return len(json.loads(result["stdout"].strip().splitlines()[-1])["include"])


def driver(args) -> int:
    sys.path.insert(0, str(ROOT / "tests"))
    from baking import bake, install

    print(f"machine: {os.cpu_count()} cores, Python {RUNTIME} with the numerai_predict_py_3_12 pins", flush=True)
    shutil.rmtree(WORK, ignore_errors=True)
    WORK.mkdir(parents=True)
    baked = bake(WORK)
    bin_dir = install(baked, RUNTIME)
    versions = probe_json(bin_dir, "versions")["report"]
    print("libraries: " + ", ".join(f"{name} {version}" for name, version in versions.items()), flush=True)
    if "build" in args.only:
        bench_build(bin_dir, baked, args.scale, args.naive_cap_gb, not args.skip_naive)
    if "predict" in args.only:
        bench_predict(bin_dir, baked)
    if "plan" in args.only:
        bench_plan(bin_dir, baked)
    return 0


# ---------------------------------------------------------------- the probes (baked environment)

def probe_versions() -> dict:
    from importlib import metadata

    return {name: metadata.version(name) for name in ("numpy", "pandas", "pyarrow", "lightgbm")}


def probe_write_data(folder: str, shape_json: str) -> dict:
    from dataclasses import replace

    from numerai_models.data.synthetic import Shape, write_dataset

    fields = json.loads(shape_json)
    scale = fields.pop("scale", None)
    shape = Shape.numerai(scale, **fields) if scale is not None else replace(Shape(), **fields)
    write_dataset(Path(folder), shape)
    return {"rows": shape.train_rows}


def probe_data_info(folder: str, feature_set: str) -> dict:
    import pyarrow.parquet as pq
    from numerai_models.data.read import feature_list

    features = feature_list(Path(folder) / "features.json", feature_set)
    return {"rows": pq.ParquetFile(Path(folder) / "train.parquet").metadata.num_rows, "features": len(features)}


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
    for _ in range(PREDICT_REPEATS):
        for mode, predict in predictors.items():
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
    from numerai_models.build.fingerprint import fingerprint
    from numerai_models.commands.common import load_all, runtime_of
    from numerai_models.repo import Repo

    imported = time.perf_counter()
    root = Repo(Path(repo))
    specs, catalogue = load_all(root)
    loaded = time.perf_counter()
    prints = {item.spec.slot: fingerprint(item.spec, runtime_of(item, catalogue), root.package_dir) for item in specs}
    done = time.perf_counter()
    return {"imports": imported - started, "load": loaded - imported, "fingerprint": done - loaded,
            "slots": len(prints)}


PROBES = {"versions": probe_versions, "write-data": probe_write_data, "data-info": probe_data_info,
          "naive-build": probe_naive_build, "predict-time": probe_predict_time,
          "predict-once": probe_predict_once, "plan-time": probe_plan_time}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=float, default=1.0,
                        help="build data as this fraction of Numerai's 574 training eras (default 1: ~2.7M rows)")
    parser.add_argument("--naive-cap-gb", type=float, default=16.0,
                        help="address-space cap of the naive build, GB (default 16: a GitHub-hosted runner)")
    parser.add_argument("--skip-naive", action="store_true", help="do not run the naive build")
    parser.add_argument("--only", nargs="+", choices=("build", "predict", "plan"), default=["build", "predict", "plan"],
                        help="which figures to measure (default: all)")
    parser.add_argument("--probe", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.probe:
        name, *rest = args.probe
        print(json.dumps(PROBES[name](*rest)))
        return 0
    return driver(args)


if __name__ == "__main__":
    sys.exit(main())
