"""The code that runs inside the pickle, in Numerai's numerai_predict container.

House rule: this module imports only the standard library, numpy and pandas. Model objects
bring their own library (a LightGBM Booster, a scikit-learn estimator); nothing here imports the
CLI, YAML, numerapi, the training code or anything that touches the network. `check` enforces it.

A model is a small tree of plain dicts:
    {"kind": "estimator", "estimator": obj}     obj.predict(X) or obj(X), X float32 (rows, inputs)
    {"kind": "ensemble", "layers": [[(node, weight), ...], ...]}
Layer 0 reads the inputs; layer N+1 reads layer N's per-era ranked predictions, one column per
member; the last layer's ranked predictions are blended with normalised weights.
"""

import os
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

# Where a container's CPU quota is (`docker run --cpus 1` sets it; the affinity mask stays whole):
# cgroup v2's "quota period" line, or cgroup v1's two files.
CGROUP_V2_MAX = "/sys/fs/cgroup/cpu.max"
CGROUP_V1_QUOTA = "/sys/fs/cgroup/cpu/cpu.cfs_quota_us"
CGROUP_V1_PERIOD = "/sys/fs/cgroup/cpu/cpu.cfs_period_us"


def read_text(path: str) -> str | None:
    try:
        with open(path, encoding="ascii") as stream:
            return stream.read().strip()
    except (OSError, ValueError):
        return None


def quota_cpus(quota: Any, period: Any) -> int | None:
    """Whole CPUs a CFS quota allows (at least one), or None for no quota ("max", -1, unreadable)."""
    try:
        quota, period = int(quota), int(period)
    except (TypeError, ValueError):
        return None
    if quota <= 0 or period <= 0:
        return None
    cpus: int = max(-(-quota // period), 1)
    return cpus


def cgroup_cpus() -> int | None:
    """CPUs the container's cgroup CPU quota allows, or None when it sets none."""
    line = read_text(CGROUP_V2_MAX)
    if line:
        parts = line.split()
        return quota_cpus(parts[0], parts[1]) if len(parts) == 2 else None
    return quota_cpus(read_text(CGROUP_V1_QUOTA), read_text(CGROUP_V1_PERIOD))


def cpu_count() -> int:
    """CPUs this process may use (Numerai gives one): the affinity mask, capped by a CPU quota.

    A thread per host core under a one-CPU quota would only queue for that CPU.
    """
    try:
        allowed = max(len(os.sched_getaffinity(0)), 1)
    except AttributeError:
        allowed = max(os.cpu_count() or 1, 1)
    quota = cgroup_cpus()
    return min(allowed, quota) if quota else allowed


def run_estimator(estimator: Any, inputs: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
    if type(estimator).__name__ == "Booster" and hasattr(estimator, "predict"):
        # LightGBM would otherwise start a thread per core of the host, not of the container.
        return np.asarray(estimator.predict(inputs, num_threads=cpu_count()), dtype=np.float64)
    if hasattr(estimator, "predict"):
        return np.asarray(estimator.predict(inputs), dtype=np.float64).reshape(len(inputs), -1)[:, 0]
    return np.asarray(estimator(inputs), dtype=np.float64).reshape(len(inputs), -1)[:, 0]


def rank_within(values: np.ndarray[Any, Any], groups: np.ndarray[Any, Any] | None) -> Any:
    """Percentile ranks in (0, 1] within each group (era); one group when `groups` is None."""
    series = pd.Series(values)
    if groups is None:
        return series.rank(pct=True, method="average").to_numpy()
    return series.groupby(np.asarray(groups)).rank(pct=True, method="average").to_numpy()


def run_node(node: dict[str, Any], inputs: np.ndarray[Any, Any], groups: np.ndarray[Any, Any] | None) -> Any:
    """Raw predictions of one model tree node for `inputs`."""
    if node["kind"] == "estimator":
        return run_estimator(node["estimator"], inputs)
    current = inputs
    for layer in node["layers"]:
        ranked = [rank_within(run_node(child, current, groups), groups) for child, _ in layer]
        current = np.column_stack(ranked).astype(np.float32)
    weights = np.array([weight for _, weight in node["layers"][-1]], dtype=np.float64)
    return current.astype(np.float64) @ (weights / weights.sum())


def model_inputs(bundle: dict[str, Any], live_features: Any, live_benchmark_models: Any) -> np.ndarray[Any, Any]:
    """The float32 input matrix: the training-time features in order, then benchmark columns.

    Filled in place, row-major, so the values are converted once and LightGBM reads the matrix
    as it is instead of copying it again.
    """
    features = bundle["features"]
    present = set(live_features.columns)
    missing = [name for name in features if name not in present]
    if missing:
        raise KeyError(f"live data lacks {len(missing)} feature(s) this model was trained on, e.g. {missing[:3]}")
    extra = bundle["benchmark_inputs"]
    inputs = np.empty((len(live_features), len(features) + len(extra)), dtype=np.float32)
    inputs[:, : len(features)] = live_features[features].to_numpy()
    if extra:
        if live_benchmark_models is None:
            raise ValueError("this model uses benchmark model columns but none were passed")
        # Numerai passes the benchmarks frame as read: align it to the live ids first.
        aligned = live_benchmark_models.reindex(live_features.index)[extra].fillna(0.5)
        inputs[:, len(features):] = aligned.to_numpy(dtype=np.float32)
    return inputs


def predict_frame(bundle: dict[str, Any], live_features: Any, live_benchmark_models: Any) -> Any:
    """One `prediction` column in [0, 1] on the live index."""
    inputs = model_inputs(bundle, live_features, live_benchmark_models)
    groups = live_features["era"].to_numpy() if "era" in live_features.columns else None
    raw = run_node(bundle["model"], inputs, groups)
    if bundle["rank_per_era"]:
        values = rank_within(raw, groups)
    else:
        values = np.clip(raw, 0.0, 1.0)
    return pd.DataFrame({"prediction": values}, index=live_features.index)


def make_predict(bundle: dict[str, Any]) -> Callable[[Any, Any], Any]:
    """The callable Numerai loads: predict(live_features, live_benchmark_models) -> DataFrame."""

    def predict(live_features: Any, live_benchmark_models: Any) -> Any:
        return predict_frame(bundle, live_features, live_benchmark_models)

    return predict
