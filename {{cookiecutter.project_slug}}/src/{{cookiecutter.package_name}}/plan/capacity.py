"""Will each slot's build fit its runner? Its peak memory and disk, estimated before any job starts.

A build's peak memory grows with the values it trains on (rows after era_step and max_eras, with the
validation eras when include_validation, times its features), its disk with the dataset files it
keeps and the environments it installs. The coefficients are measured (runtimes/capacity.json, by the
template's scripts/bench.py), the shape is the version's (datasets/<version>.json), the runner's size
is GitHub's (runtimes/runners.json). `plan` and `validate` print the estimates and refuse a slot that
cannot fit, naming its spec file and key with the fixes: a larger runner, a larger era_step, a
smaller feature set. They also estimate each slot's build time and the GitHub Actions minutes of a
deploy (capacity.json's "time": measured rates of LightGBM, setup and check jobs, the fixed jobs).
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

from ..data.files import WHOLE_FILE_SHARE
from ..errors import UsageError
from ..kinds import Peak, peak_of, work_of
from ..kinds.base import linear_peak
from ..kinds.lightgbm import ROUNDS_KEYS as ROUNDS_KEYS  # re-exported: the rounds' names costed
from ..modelspec import LoadedSpec, ModelSpec, Problem
from ..modelspec.model import iter_models
from ..modelspec.problems import display_path
from ..repo import Repo
from ..runtimes.runners import RUNNERS_FILE, Runner, RunnerTable
from .shapes import DatasetShape, dataset_shape

CAPACITY_FILE = "capacity.json"
# LightGBM's names of its number of rounds and of its feature sampling; train/estimators.py's
# ROUNDS_ALIASES (a test keeps them equal): plan does not import the training code (numpy, pandas).
DEFAULT_CORES = 2  # a runner of unknown size: GitHub's smallest standard one
GB = 1e9
MAX_ERA_STEP = 16  # the largest era_step offered as a fix


@dataclass(frozen=True)
class Timing:
    """capacity.json's "time": rates a build's duration and a deploy's Actions minutes are estimated from."""

    setup_minutes: float
    download_mb_per_second: float
    lightgbm_ns_per_value_round: float
    float32_ns_per_value: float
    metrics_ns_per_value: float
    parallel_share: float
    check_job_minutes: float
    fixed_jobs_minutes: dict[str, float]
    deploy_minutes_per_slot: float


def load_timing(data: dict[str, Any]) -> Timing | None:
    """The "time" coefficients; None in a capacity.json from before they existed."""
    if "time" not in data:
        return None
    found = data["time"]
    return Timing(
        **{name: float(found[name]) for name in (
            "setup_minutes", "download_mb_per_second", "lightgbm_ns_per_value_round", "float32_ns_per_value",
            "metrics_ns_per_value", "parallel_share", "check_job_minutes", "deploy_minutes_per_slot")},
        fixed_jobs_minutes={name: float(value) for name, value in found["fixed_jobs_minutes"].items()})


@dataclass(frozen=True)
class Coefficients:
    memory: dict[str, tuple[float, float, float]]  # memory model (kinds/): (bytes per value, base GB, bytes per row)
    parquet_bytes_per_value: float
    environments_gb: float
    archive_factor: float
    reserve_memory_gb: float
    reserve_disk_gb: float
    uv_cache_gb: float
    entries_per_slot: int
    measured: str
    timing: Timing | None = None


def load_coefficients(runtimes_dir: Path) -> Coefficients:
    path = Path(runtimes_dir) / CAPACITY_FILE
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        disk, reserve, cache = data["disk"], data["reserve"], data["actions_cache"]
        return Coefficients(
            memory={name: (float(entry["bytes_per_value"]), float(entry["base_gb"]),
                           float(entry.get("bytes_per_row", 0.0))) for name, entry in data["memory"].items()},
            parquet_bytes_per_value=float(disk["parquet_bytes_per_value"]),
            environments_gb=float(disk["environments_gb"]), archive_factor=float(disk["cache_archive_factor"]),
            reserve_memory_gb=float(reserve["memory_gb"]), reserve_disk_gb=float(reserve["disk_gb"]),
            uv_cache_gb=float(cache["uv_gb"]), entries_per_slot=int(cache["entries_per_slot"]),
            measured=str(data.get("measured", "")), timing=load_timing(data),
        )
    except FileNotFoundError:
        raise UsageError(f"File {path} ==> expected the capacity coefficients; restore it from the template") from None
    except (ValueError, KeyError, TypeError, AttributeError) as error:
        raise UsageError(f"File {path} ==> expected JSON with memory, disk, reserve and actions_cache "
                         f"coefficients ({type(error).__name__}: {error})") from None


def training_peak(spec: ModelSpec, rows: int, features: int, coefficients: Coefficients) -> Peak:
    """The build's training peak, by its model's kind (kinds/): LightGBM streams from the files, linear
    models hold their statistics, partial_fit a chunk, anything else one float32 matrix. With
    benchmark_inputs every model reads one float32 matrix held in memory."""
    if spec.predict.benchmark_inputs:
        return linear_peak(coefficients.memory, "float32", rows * features, rows)
    found: Peak = peak_of(coefficients.memory)(spec.model, rows, features)
    return found


@dataclass(frozen=True)
class Estimate:
    rows: int
    features: int
    path: str
    memory_gb: float
    data_gb: float
    disk_gb: float
    cached: bool
    build_minutes: float | None = None

    def describe(self) -> str:
        data = f"data {self.data_gb:.2f} GB, {'cached' if self.cached else 'not cached: read each run'}"
        time = f"~{self.build_minutes:.0f} min build, " if self.build_minutes is not None else ""
        return (f"{time}~{self.memory_gb:.1f} GB memory, ~{self.disk_gb:.1f} GB disk ({self.rows:,} rows x "
                f"{self.features:,} features, {self.path}; {data})")


def training_rows(spec: ModelSpec, shape: DatasetShape) -> int:
    """Rows the build trains on: every era_step-th era, at most max_eras, validation eras included
    when the spec asks (validation eras counted at the training rows per era)."""
    validation = (shape.validation_rows or 0) if spec.data.include_validation else 0
    chosen = math.ceil((shape.train_eras + validation / shape.rows_per_era) / spec.data.era_step)
    if spec.data.max_eras:
        chosen = min(chosen, spec.data.max_eras)
    return round(min(chosen * shape.rows_per_era, shape.train_rows + validation))


def data_gb(spec: ModelSpec, shape: DatasetShape, coefficients: Coefficients) -> float:
    """The dataset files a build keeps: its columns of every row of train (and validation) parquet,
    or the whole file when the columns are most of it (data.remote downloads it whole then)."""
    features = shape.feature_sets[spec.data.feature_set]
    columns = shape.all_features if features > WHOLE_FILE_SHARE * shape.all_features else features
    rows = shape.train_rows
    if spec.data.validation_metrics or spec.data.include_validation:
        rows += shape.validation_rows or 0
    return coefficients.parquet_bytes_per_value * rows * columns / GB


def estimate(spec: ModelSpec, shape: DatasetShape, coefficients: Coefficients,
             cache_share_gb: float | None = None, cores: int | None = None) -> Estimate | None:
    """The build's peak memory, disk and minutes; None when the version's shape lacks the spec's feature
    set. `cache_share_gb`: the Actions cache a slot's dataset entry may take (None: not cached);
    `cores`: the runner's (None: GitHub's smallest standard runner's)."""
    if spec.data.feature_set not in shape.feature_sets:
        return None
    features = shape.feature_sets[spec.data.feature_set] + len(spec.predict.benchmark_inputs)
    rows = training_rows(spec, shape)
    peak = training_peak(spec, rows, features, coefficients)
    data = data_gb(spec, shape, coefficients)
    cached = cache_share_gb is not None and data <= cache_share_gb
    disk = coefficients.environments_gb + data * (coefficients.archive_factor if cached else 1)
    timing = coefficients.timing
    minutes = build_minutes(spec, shape, rows, features, data, cores or DEFAULT_CORES, timing) if timing else None
    return Estimate(rows, features, peak.path, peak.gb, data, disk, cached, minutes)


def training_seconds(spec: ModelSpec, rows: int, features: int, timing: Timing) -> float:
    """CPU seconds of training every model of the spec, each costed by its kind (ensemble members and
    layers included)."""
    seconds = 0.0
    for model in iter_models(spec.model):
        work = work_of(model, rows, features)
        if work.rate is not None:
            seconds += float(getattr(timing, work.rate)) * work.units / 1e9
    return seconds


def build_minutes(spec: ModelSpec, shape: DatasetShape, rows: int, features: int, data: float, cores: int,
                  timing: Timing) -> float:
    """A build job's minutes: setup, the dataset files, training on the runner's cores, validation metrics."""
    parallel = max(1.0, cores * timing.parallel_share)
    metrics = timing.metrics_ns_per_value * (shape.validation_rows or 0) * features / 1e9 \
        if spec.data.validation_metrics else 0.0
    seconds = data * 1000 / timing.download_mb_per_second + (training_seconds(spec, rows, features, timing)
                                                               + metrics) / parallel
    return timing.setup_minutes + seconds / 60


def actions_minutes(builds: list[float], timing: Timing) -> int:
    """A deploy's GitHub Actions minutes: each slot's build and check job, the fixed jobs and the deploy
    job's wait per slot, each job rounded up to a whole minute as GitHub bills it."""
    fixed = dict(timing.fixed_jobs_minutes)
    fixed["deploy"] = fixed.get("deploy", 0.0) + timing.deploy_minutes_per_slot * len(builds)
    return (sum(math.ceil(minutes) for minutes in builds) + len(builds) * math.ceil(timing.check_job_minutes)
            + sum(math.ceil(minutes) for minutes in fixed.values()))


def fits(found: Estimate, runner: Runner, coefficients: Coefficients) -> bool:
    """Within the runner's memory and disk, less what the runner itself takes (an unknown runner: yes)."""
    if not runner.known:
        return True
    assert runner.memory_gb is not None and runner.disk_gb is not None  # known: both given
    return (found.memory_gb <= runner.memory_gb - coefficients.reserve_memory_gb
            and found.disk_gb <= runner.disk_gb - coefficients.reserve_disk_gb)


def cache_share(table: RunnerTable, coefficients: Coefficients, slots: int) -> float:
    """The Actions cache one slot's dataset entry may take so that every slot's entries (this week's
    and last week's), and uv's, stay within the repository's cache."""
    return (table.cache_gb - coefficients.uv_cache_gb) / (max(slots, 1) * coefficients.entries_per_slot)


def with_data(spec: ModelSpec, **changes: Any) -> ModelSpec:
    return spec.model_copy(update={"data": spec.data.model_copy(update=changes)})


def fixes(spec: ModelSpec, shape: DatasetShape, coefficients: Coefficients, runner: Runner,
          table: RunnerTable, share: float) -> list[str]:
    """What would make the build fit: a runner that holds it, a larger era_step, a smaller feature
    set, or no validation eras, each with its estimate."""
    found = estimate(spec, shape, coefficients, share)
    assert found is not None  # the spec's feature set is in `shape`: assess() estimated it
    larger = [table.runner(label, runner.visibility) for label in table.labels()]
    larger = sorted((other for other in larger if fits(found, other, coefficients)),
                    key=lambda other: other.memory_gb or 0.0)
    needed = (f"{found.memory_gb + coefficients.reserve_memory_gb:.0f} GB memory and "
              f"{found.disk_gb + coefficients.reserve_disk_gb:.0f} GB disk")
    options = [f"build.runner: {larger[0].describe() if larger else 'a larger runner'}, or a self-hosted label "
               f"with at least {needed} (list it in runtimes/{RUNNERS_FILE})"]
    for step in range(spec.data.era_step + 1, MAX_ERA_STEP + 1):
        smaller = estimate(with_data(spec, era_step=step), shape, coefficients, share)
        if smaller is not None and fits(smaller, runner, coefficients):
            options.append(f"data.era_step: {step} (~{smaller.memory_gb:.1f} GB memory)")
            break
    if spec.data.include_validation:
        without = estimate(with_data(spec, include_validation=False), shape, coefficients, share)
        if without is not None and fits(without, runner, coefficients):
            options.append(f"data.include_validation: false (~{without.memory_gb:.1f} GB memory)")
    current = shape.feature_sets[spec.data.feature_set]
    for name, size in sorted(shape.feature_sets.items(), key=lambda item: -item[1]):
        if size < current:
            smaller = estimate(with_data(spec, feature_set=name), shape, coefficients, share)
            if smaller is not None and fits(smaller, runner, coefficients):
                options.append(f"data.feature_set: {name} ({size:,} features: ~{smaller.memory_gb:.1f} GB memory)")
                break
    return options


@dataclass
class Assessment:
    """Each slot's estimate (None: not estimated), a line per slot for the log, and the problems of
    the slots that cannot fit their runner."""

    estimates: dict[str, Estimate | None] = field(default_factory=dict)
    lines: list[str] = field(default_factory=list)
    problems: dict[str, Problem] = field(default_factory=dict)

    def cache_data(self, slot: str) -> bool:
        """Whether the slot's dataset files go into the Actions cache (a slot not estimated: yes)."""
        found = self.estimates.get(slot)
        return found is None or found.cached


def too_large(item: LoadedSpec, found: Estimate, shape: DatasetShape, runner: Runner, options: list[str],
              coefficients: Coefficients) -> Problem:
    assert runner.memory_gb is not None and runner.disk_gb is not None  # a runner that is too small is known
    usable = (f"{runner.memory_gb - coefficients.reserve_memory_gb:g} GB memory and "
              f"{runner.disk_gb - coefficients.reserve_disk_gb:g} GB disk")
    return Problem(
        display_path(item.path), item.line_of("build", "runner"), "build.runner",
        f"a runner this build fits: it needs {found.describe()}, estimated from {shape.source} and "
        f"runtimes/{CAPACITY_FILE} (measured {coefficients.measured}); {runner.describe()} leaves {usable} "
        f"to a build ==> set {'; or '.join(options)}")


def assess(repo: Repo, items: list[LoadedSpec], runners: dict[str, str], table: RunnerTable,
           slots: int) -> Assessment:
    """Estimate each of `items` on its runner ({slot: label}); `slots`: how many the repository has."""
    coefficients = load_coefficients(repo.runtimes)
    share = cache_share(table, coefficients, slots)
    result = Assessment()
    for item in items:
        spec = item.spec
        shape = dataset_shape(repo, cast(str, spec.data.version))
        runner = table.runner(runners.get(spec.slot, spec.build.runner), repo.settings.repository_visibility)
        found = estimate(spec, shape, coefficients, share, runner.cores) if shape else None
        result.estimates[spec.slot] = found
        if found is None:
            why = (f"no readable datasets/{spec.data.version}.json with the version's rows and feature set sizes"
                   if shape is None else f"{shape.source} has no feature set {spec.data.feature_set!r}")
            result.lines.append(f"capacity: {spec.slot}: not estimated ({why})")
            continue
        verdict = "not checked" if not runner.known else "fits" if fits(found, runner, coefficients) else "DOES NOT FIT"
        result.lines.append(f"capacity: {spec.slot}: {found.describe()} on {runner.describe()}: {verdict}")
        if verdict == "DOES NOT FIT":
            assert shape is not None  # found is an estimate from it
            options = fixes(spec, shape, coefficients, runner, table, share)
            result.problems[spec.slot] = too_large(item, found, shape, runner, options, coefficients)
    builds = [found.build_minutes for found in result.estimates.values() if found and found.build_minutes is not None]
    if coefficients.timing and builds:
        minutes = actions_minutes(builds, coefficients.timing)
        result.lines.append(
            f"actions: a deploy that builds these {len(builds)} slot(s) uses ~{minutes} GitHub Actions minutes "
            "(a build and a check job per slot, plus preflight, plan, deploy, record and alert; each job billed "
            "in whole minutes); the test workflow adds its own")
    return result
