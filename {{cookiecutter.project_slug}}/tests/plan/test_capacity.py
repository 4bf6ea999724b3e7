"""Capacity: each slot's build peak memory and disk, estimated from its data version's shape, against
its runner; a slot that cannot fit is refused before any job starts. And a fork's code never builds
on a self-hosted runner."""

from __future__ import annotations

import json
import math
import shutil
from pathlib import Path
from types import SimpleNamespace

import pytest

from {{ cookiecutter.package_name }}.main import main
from {{ cookiecutter.package_name }}.modelspec import ModelSpec, load_specs
from {{ cookiecutter.package_name }}.plan.capacity import (
    GB,
    ROUNDS_KEYS,
    assess,
    cache_share,
    estimate,
    fits,
    load_coefficients,
    with_data,
)
from {{ cookiecutter.package_name }}.plan.shapes import dataset_shape
from {{ cookiecutter.package_name }}.repo import Repo
from {{ cookiecutter.package_name }}.runtimes.runners import load_runners
from {{ cookiecutter.package_name }}.settings import load_settings

from conftest import REPO_ROOT

ALL_FEATURES = """
    slot: everything
    runtime: "3.12"
    data: {version: v5.3, feature_set: all, include_validation: true}
    model: {type: lightgbm, params: {n_estimators: 10}}
"""
SMALL = """
    slot: small_one
    runtime: "3.12"
    data: {version: v5.3, feature_set: small, era_step: 4}
    model: {type: lightgbm, params: {n_estimators: 10}}
"""


def spec(**data) -> ModelSpec:
    return ModelSpec.model_validate({"slot": "s", "data": {"version": "v5.3", **data},
                                     "model": {"type": "lightgbm"}})


@pytest.fixture
def repo(make_repo):
    """A scratch repository with this repository's datasets/ (v5.3: 2,746,268 training rows in 574 eras,
    4,114,072 validation rows, 3,555 features)."""
    return make_repo


@pytest.fixture
def run(capsys, monkeypatch):
    def command(root: Path, *args: str, env: dict | None = None) -> SimpleNamespace:
        with monkeypatch.context() as patch:
            patch.chdir(root)
            patch.setenv("NUMERAI_SYNTHETIC_DATA", "")
            patch.delenv("NUMERAI_REPOSITORY_VISIBILITY", raising=False)
            for name, value in (env or {}).items():
                patch.setenv(name, value)
            code = main(list(args))
        captured = capsys.readouterr()
        return SimpleNamespace(code=code, out=captured.out, err=captured.err)

    return command


# -- the estimate ----------------------------------------------------------------------------------

@pytest.fixture
def shape():
    found = dataset_shape(Repo(REPO_ROOT, load_settings()), "v5.3")
    assert (found.train_rows, found.train_eras, found.feature_sets["all"]) == (2746268, 574, 3555)
    return found


def test_the_estimate_follows_the_values_trained_on(shape):
    coefficients = load_coefficients(REPO_ROOT / "runtimes")
    per_value, base, per_row = coefficients.memory["lightgbm"]
    every = estimate(spec(feature_set="all"), shape, coefficients)
    assert every.rows == shape.train_rows and every.features == 3555
    assert every.memory_gb == pytest.approx(base + (per_value * 3555 + per_row) * 2746268 / GB)
    halved = estimate(spec(feature_set="all", era_step=2), shape, coefficients)
    assert halved.rows == pytest.approx(every.rows / 2, rel=0.01) and halved.memory_gb < every.memory_gb
    assert halved.disk_gb == every.disk_gb, "the whole file is kept whatever the eras used"
    more = estimate(spec(feature_set="all", include_validation=True), shape, coefficients)
    assert more.rows == pytest.approx(shape.train_rows + shape.validation_rows, rel=0.01)
    few = estimate(spec(feature_set="all", max_eras=100), shape, coefficients)
    assert few.rows == pytest.approx(100 * shape.rows_per_era, rel=0.01)
    small = estimate(spec(feature_set="small"), shape, coefficients)
    assert small.data_gb < every.data_gb * 42 / 3555 * 1.01, "a few columns are read by ranges, not the file"


def estimator_spec(estimator: str, params: dict | None = None, feature_set: str = "medium") -> ModelSpec:
    return ModelSpec.model_validate({"slot": "s", "data": {"version": "v5.3", "feature_set": feature_set},
                                     "model": {"type": "sklearn", "estimator": estimator, "params": params or {}}})


def test_models_that_get_one_float32_matrix_are_estimated_as_such(shape):
    coefficients = load_coefficients(REPO_ROOT / "runtimes")
    forest = estimator_spec("sklearn.ensemble.RandomForestRegressor")
    ridge = estimator_spec("sklearn.linear_model.Ridge")
    with_benchmarks = spec(feature_set="medium").model_copy(update={"predict": ridge.predict.model_copy(
        update={"benchmark_inputs": ["v53_lgbm_ender20"]})})
    assert estimate(spec(), shape, coefficients).path == "lightgbm"
    assert estimate(forest, shape, coefficients).path == estimate(with_benchmarks, shape, coefficients).path \
        == "float32"
    assert estimate(forest, shape, coefficients).memory_gb > estimate(spec(feature_set="medium"), shape,
                                                                      coefficients).memory_gb
    assert estimate(with_benchmarks, shape, coefficients).features == 781


def test_v5_3_with_every_feature_and_validation_eras_needs_more_than_a_private_runner(shape):
    coefficients = load_coefficients(REPO_ROOT / "runtimes")
    table = load_runners(REPO_ROOT / "runtimes")
    private, public = table.runner("ubuntu-latest", "private"), table.runner("ubuntu-latest", "public")
    train_only = estimate(spec(feature_set="all"), shape, coefficients)
    assert fits(train_only, private, coefficients)
    everything = estimate(spec(feature_set="all", include_validation=True), shape, coefficients)
    assert not fits(everything, private, coefficients) and fits(everything, public, coefficients)
    assert fits(everything, table.runner("ubuntu-latest-4-cores", "private"), coefficients)


def test_a_slots_data_is_cached_only_within_its_share_of_the_cache(shape):
    coefficients = load_coefficients(REPO_ROOT / "runtimes")
    table = load_runners(REPO_ROOT / "runtimes")
    medium = spec(feature_set="medium")
    assert estimate(medium, shape, coefficients, cache_share(table, coefficients, slots=1)).cached
    ten = cache_share(table, coefficients, slots=10)
    assert not estimate(medium, shape, coefficients, ten).cached
    assert estimate(spec(feature_set="small"), shape, coefficients, ten).cached
    # Ten slots' entries, this week's and last week's, and uv's stay within the repository's cache.
    assert 10 * coefficients.entries_per_slot * ten + coefficients.uv_cache_gb <= table.cache_gb + 1e-9
    cached = estimate(spec(feature_set="small"), shape, coefficients, ten)
    assert cached.disk_gb == pytest.approx(coefficients.environments_gb
                                           + coefficients.archive_factor * cached.data_gb)


def test_fixes_are_offered_only_when_they_fit(shape):
    coefficients = load_coefficients(REPO_ROOT / "runtimes")
    runner = load_runners(REPO_ROOT / "runtimes").runner("ubuntu-latest", "private")
    too_big = spec(feature_set="all", include_validation=True)
    assert fits(estimate(with_data(too_big, era_step=3), shape, coefficients), runner, coefficients)
    assert fits(estimate(with_data(too_big, include_validation=False), shape, coefficients), runner, coefficients)


# -- validate and plan -----------------------------------------------------------------------------

def test_validate_refuses_a_slot_that_cannot_fit_its_runner(repo, run):
    root = repo({"everything.yaml": ALL_FEATURES, "small.yaml": SMALL})
    result = run(root, "validate")
    assert result.code == 2, result.out + result.err
    [message] = [line for line in result.err.splitlines() if line.startswith("error:")]
    assert "File models/everything.yaml" in message and "At key build.runner" in message
    assert "small_one" not in result.err
    assert "ubuntu-latest (7 GB memory" in message and "datasets/v5.3.json" in message
    for fix in ("set build.runner: ubuntu-latest-4-cores (16 GB memory", "self-hosted label", "data.era_step:",
                "data.include_validation: false", "data.feature_set:"):
        assert fix in message, fix
    assert "Traceback" not in result.err


def test_validate_prints_each_estimate_and_passes_what_fits(repo, run):
    big_runner = ALL_FEATURES + "    build: {runner: ubuntu-latest-16-cores}\n"
    root = repo({"everything.yaml": big_runner, "small.yaml": SMALL})
    result = run(root, "validate")
    assert result.code == 0, result.out + result.err
    lines = [line for line in result.out.splitlines() if line.startswith("capacity:")]
    assert any(line.startswith("capacity: everything: ~") and line.endswith(": fits") for line in lines), lines
    assert any(line.startswith("capacity: small_one: ~") for line in lines)


def test_a_version_without_its_file_is_not_estimated(repo):
    root = repo({"small.yaml": SMALL})
    shutil.rmtree(root / "datasets")
    [item] = load_specs(root / "models", runtimes=["3.12"])
    found = assess(Repo(root, load_settings()), [item], {}, load_runners(root / "runtimes"), slots=1)
    assert found.estimates == {"small_one": None} and not found.problems and found.cache_data("small_one")
    assert found.lines == ["capacity: small_one: not estimated (no readable datasets/v5.3.json with the "
                           "version's rows and feature set sizes)"]


def test_an_unlisted_runner_is_not_checked(repo, run):
    root = repo({"everything.yaml": ALL_FEATURES + "    build: {runner: my-gpu-box}\n"})
    result = run(root, "validate")
    assert result.code == 0, result.out + result.err
    assert "my-gpu-box (not in runtimes/runners.json: size unknown): not checked" in result.out


def test_a_public_repository_gets_the_larger_standard_runner(repo, run):
    # A positive Ridge has no closed form from XᵀX: it takes the whole float32 matrix.
    medium_ridge = """
        slot: ridge_medium
        runtime: "3.12"
        data: {version: v5.3, feature_set: medium, era_step: 2}
        model: {type: sklearn, estimator: sklearn.linear_model.Ridge, params: {positive: true}}
    """
    root = repo({"ridge.yaml": medium_ridge})
    assert run(root, "validate").code == 2
    assert run(root, "validate", env={"NUMERAI_REPOSITORY_VISIBILITY": "public"}).code == 0


def test_plan_refuses_only_the_slots_it_would_build(repo, run):
    root = repo({"everything.yaml": ALL_FEATURES, "small.yaml": SMALL})
    refused = run(root, "plan", "--force")
    assert refused.code == 2 and "File models/everything.yaml" in refused.err and refused.out == ""
    alone = run(root, "plan", "--force", "small_one")
    assert alone.code == 0, alone.err
    [entry] = json.loads(alone.out)["include"]
    assert entry["slot"] == "small_one" and entry["cache_data"] is True


# -- a fork's pull request -------------------------------------------------------------------------

SELF_HOSTED = """
    slot: on_my_machine
    runtime: "3.12"
    data: {version: v5.3, feature_set: small}
    model: {type: lightgbm}
    build: {runner: owners-gpu-box}
"""
LARGER = SELF_HOSTED.replace("on_my_machine", "on_a_larger_runner").replace("owners-gpu-box", "ubuntu-latest-8-cores")


@pytest.mark.parametrize("synthetic", ["true", ""])
def test_an_untrusted_plan_never_names_a_self_hosted_runner(repo, run, synthetic):
    root = repo({"mine.yaml": SELF_HOSTED, "larger.yaml": LARGER})
    env = {"NUMERAI_SYNTHETIC_DATA": synthetic}
    planned = run(root, "plan", "--force", env=env)
    trusted = {item["slot"]: item["runner"] for item in json.loads(planned.out)["include"]}
    assert trusted == {"on_my_machine": "owners-gpu-box", "on_a_larger_runner": "ubuntu-latest-8-cores"}
    result = run(root, "plan", "--force", "--untrusted", env=env)
    assert result.code == 0, result.err
    untrusted = {item["slot"]: item["runner"] for item in json.loads(result.out)["include"]}
    assert untrusted == {"on_my_machine": "ubuntu-latest", "on_a_larger_runner": "ubuntu-latest-8-cores"}
    assert "'owners-gpu-box' is not a GitHub-hosted runner" in result.err


def test_an_untrusted_build_too_large_for_a_hosted_runner_is_refused(repo, run):
    root = repo({"everything.yaml": ALL_FEATURES + "    build: {runner: owners-gpu-box}\n"})
    assert run(root, "plan", "--force").code == 0, "the owner's machine: size unknown, not checked"
    result = run(root, "plan", "--force", "--untrusted")
    assert result.code == 2 and result.out == ""
    assert "not a GitHub-hosted runner" in result.err and "File models/everything.yaml" in result.err


def test_streamed_linear_and_partial_fit_models_have_their_own_memory_model(shape):
    """A Ridge holds its statistics (features²), not its rows: a medium Ridge on all of v5.3's training
    rows fits a private runner; an SGDRegressor holds a chunk; a Ridge with positive=True takes the matrix."""
    coefficients = load_coefficients(REPO_ROOT / "runtimes")
    table = load_runners(REPO_ROOT / "runtimes")
    ridge = estimate(estimator_spec("sklearn.linear_model.Ridge", {"alpha": 10.0}), shape, coefficients)
    assert ridge.path == "linear" and ridge.memory_gb < 1.0
    assert fits(ridge, table.runner("ubuntu-latest", "private"), coefficients)
    everything = estimate(estimator_spec("sklearn.linear_model.LinearRegression", feature_set="all"), shape,
                          coefficients)
    assert everything.path == "linear" and everything.memory_gb < 2.0
    sgd = estimate(estimator_spec("sklearn.linear_model.SGDRegressor"), shape, coefficients)
    assert sgd.path == "partial_fit" and sgd.memory_gb < 1.0
    assert estimate(estimator_spec("sklearn.neural_network.MLPRegressor", {"solver": "lbfgs"}), shape,
                    coefficients).path == "float32"
    positive = estimate(estimator_spec("sklearn.linear_model.Ridge", {"positive": True}), shape, coefficients)
    assert positive.path == "float32" and positive.memory_gb > 10


def test_an_ensemble_peaks_at_its_largest_member_not_their_sum(shape):
    """Members train one after another, each freeing its data: the peak is the largest member's; a
    stacked layer trains on its own share of the eras, on the earlier layer's predictions."""
    coefficients = load_coefficients(REPO_ROOT / "runtimes")
    lightgbm = {"type": "lightgbm", "params": {"n_estimators": 10}}
    ridge = {"type": "sklearn", "estimator": "sklearn.linear_model.Ridge"}
    blend = ModelSpec.model_validate({"slot": "s", "data": {"version": "v5.3", "feature_set": "medium"}, "model": {
        "type": "ensemble", "members": [{"model": lightgbm}, {"model": ridge}, {"model": lightgbm}]}})
    alone = estimate(spec(feature_set="medium"), shape, coefficients)
    found = estimate(blend, shape, coefficients)
    assert found.path == "ensemble of lightgbm, linear"
    assert found.memory_gb == pytest.approx(alone.memory_gb)
    stacked = ModelSpec.model_validate({**blend.model_dump(), "model": {
        **blend.model.model_dump(), "layers": [{"members": [{"model": ridge}]}]}})
    halves = estimate(stacked, shape, coefficients)
    per_value, base, per_row = coefficients.memory["lightgbm"]
    stage_rows = -(-halves.rows // 2)
    assert halves.memory_gb == pytest.approx(base + (per_value * halves.features + per_row) * stage_rows / 1e9)
def test_validate_estimates_each_build_time_and_a_deploys_actions_minutes(repo, run):
    root = repo({"small.yaml": SMALL})
    result = run(root, "validate")
    assert result.code == 0, result.out + result.err
    [line] = [line for line in result.out.splitlines() if line.startswith("capacity: small_one:")]
    assert line.startswith("capacity: small_one: ~2 min build, ~"), line
    timing = load_coefficients(root / "runtimes").timing
    # One slot: its build (2 min) and check job, the fixed jobs, the deploy job's wait for it.
    expected = (2 + math.ceil(timing.check_job_minutes) + sum(math.ceil(minutes) for minutes in
                {**timing.fixed_jobs_minutes, "deploy": timing.fixed_jobs_minutes["deploy"]
                 + timing.deploy_minutes_per_slot}.values()))
    assert f"actions: a deploy that builds these 1 slot(s) uses ~{expected} GitHub Actions minutes" in result.out


def test_more_rounds_and_features_take_longer_and_more_cores_less():
    shape = dataset_shape(Repo(REPO_ROOT, load_settings()), "v5.3")
    coefficients = load_coefficients(REPO_ROOT / "runtimes")

    def minutes(feature_set: str, rounds: int, cores: int = 2) -> float:
        model = ModelSpec.model_validate({"slot": "s", "data": {"version": "v5.3", "feature_set": feature_set},
                                          "model": {"type": "lightgbm", "params": {"n_estimators": rounds}}})
        return estimate(model, shape, coefficients, cores=cores).build_minutes

    assert minutes("small", 100) < minutes("small", 2000) < minutes("medium", 2000)
    assert minutes("medium", 2000, cores=16) < minutes("medium", 2000, cores=2)


def test_the_rounds_keys_are_the_trainings():
    from {{ cookiecutter.package_name }}.train.estimators import ROUNDS_ALIASES

    assert ROUNDS_KEYS == ROUNDS_ALIASES
