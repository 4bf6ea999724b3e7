"""The pickle's predict does little per call: one conversion to what LightGBM reads, threads for the
CPUs the container really has."""

from __future__ import annotations

import os

import numpy as np
import pandas as pd
import pytest

from {{ cookiecutter.package_name }}.bundle.predictor import cpu_count, model_inputs, quota_cpus


@pytest.mark.parametrize(("quota", "period", "expected"), [
    ("100000", "100000", 1),      # docker run --cpus 1
    ("150000", "100000", 2),      # --cpus 1.5: a second thread still gets half a CPU
    ("50000", "100000", 1),       # never fewer than one
    ("max", "100000", None),      # cgroup v2 without a quota
    ("-1", "100000", None),       # cgroup v1 without a quota
    (None, None, None),           # no cgroup files
])
def test_a_cpu_quota_becomes_whole_cpus(quota, period, expected):
    assert quota_cpus(quota, period) == expected


def test_threads_never_exceed_the_affinity_mask():
    assert 1 <= cpu_count() <= len(os.sched_getaffinity(0))


def test_inputs_are_one_row_major_float32_matrix_in_training_order():
    rng = np.random.default_rng(0)
    live = pd.DataFrame(rng.integers(0, 5, size=(9, 4), dtype=np.int8), columns=["f_d", "f_a", "f_c", "f_b"])
    live.index = pd.Index([f"n{index}" for index in range(9)], name="id")
    live["era"] = "0999"
    benchmarks = pd.DataFrame({"bench": np.linspace(0.1, 0.9, 9)}, index=live.index[::-1])
    bundle = {"features": ["f_a", "f_b", "f_c"], "benchmark_inputs": ["bench"]}
    inputs = model_inputs(bundle, live, benchmarks)
    assert inputs.dtype == np.float32 and inputs.flags["C_CONTIGUOUS"]
    np.testing.assert_array_equal(inputs[:, :3], live[["f_a", "f_b", "f_c"]].to_numpy(dtype=np.float32))
    np.testing.assert_allclose(inputs[:, 3], benchmarks["bench"].reindex(live.index).to_numpy(), rtol=1e-6)
