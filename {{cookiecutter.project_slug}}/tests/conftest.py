"""Fixtures shared by the tests: scratch repositories, the CLI, a synthetic dataset, built pickles."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import {{ cookiecutter.package_name }}

PACKAGE = {{ cookiecutter.package_name }}.__name__
REPO_ROOT = Path(__file__).resolve().parents[1]


def write_spec(models: Path, name: str, text: str) -> Path:
    path = models / name
    path.write_text(textwrap.dedent(text).lstrip())
    return path


@pytest.fixture(scope="session")
def data_cache(tmp_path_factory) -> Path:
    """One synthetic dataset cache for the whole session (NUMERAI_DATA_DIR)."""
    return tmp_path_factory.mktemp("numerai-data")


@pytest.fixture
def make_repo(tmp_path, data_cache, monkeypatch):
    """A scratch repository with this repo's runtimes and the given specs {file name: YAML text}."""
    monkeypatch.setenv("NUMERAI_DATA_DIR", str(data_cache))

    def make(specs: dict[str, str]) -> Path:
        root = tmp_path / "repo"
        (root / "models").mkdir(parents=True, exist_ok=True)
        if not (root / "runtimes").exists():
            shutil.copytree(REPO_ROOT / "runtimes", root / "runtimes")
        for name, text in specs.items():
            write_spec(root / "models", name, text)
        return root

    return make


@pytest.fixture
def cli(data_cache):
    """Run `python -m <package>` in a subprocess, as a user would run numerai-deploy."""

    def run(*args: str, cwd: Path, env: dict | None = None, timeout: int = 600) -> subprocess.CompletedProcess:
        environment = {**os.environ, "NUMERAI_DATA_DIR": str(data_cache), **(env or {})}
        return subprocess.run([sys.executable, "-m", PACKAGE, *args], cwd=cwd, capture_output=True,
                              text=True, env=environment, timeout=timeout)

    return run


LIGHTGBM_SPEC = """
    slot: gbm_model
    runtime: "3.12"
    data: {feature_set: small, era_step: 2}
    model:
      type: lightgbm
      params: {n_estimators: 40, learning_rate: 0.1, num_leaves: 15, max_bin: 5}
"""

ENSEMBLE_SPEC = """
    slot: ensemble_model
    runtime: "3.12"
    data: {feature_set: small, era_step: 2}
    model:
      type: ensemble
      members:
        - model: {type: lightgbm, params: {n_estimators: 30, num_leaves: 7, max_bin: 5}}
          target: target
          weight: 2
        - model: {type: sklearn, estimator: sklearn.linear_model.Ridge, params: {alpha: 5.0}}
          target: target_cyrus_20
          weight: 1
      layers:
        - members:
            - model: {type: sklearn, estimator: sklearn.linear_model.LinearRegression}
    predict:
      benchmark_inputs: [v52_lgbm_cyrus20]
"""

CUSTOM_SPEC = f"""
    slot: custom_model
    runtime: "3.12"
    data:
      feature_set: small
    model:
      type: custom
      entry_point: {PACKAGE}.custom.example:train
      params:
        alpha: 3.0
"""


@pytest.fixture(scope="session")
def built(tmp_path_factory, data_cache) -> dict[str, Path]:
    """The LightGBM, ensemble and custom specs built once on synthetic data: {slot: pickle path}."""
    root = tmp_path_factory.mktemp("built-repo")
    shutil.copytree(REPO_ROOT / "runtimes", root / "runtimes")
    (root / "models").mkdir()
    for name, text in (("gbm.yaml", LIGHTGBM_SPEC), ("ensemble.yaml", ENSEMBLE_SPEC), ("custom.yaml", CUSTOM_SPEC)):
        write_spec(root / "models", name, text)
    environment = {**os.environ, "NUMERAI_DATA_DIR": str(data_cache)}
    result = subprocess.run([sys.executable, "-m", PACKAGE, "build", "--synthetic", "--no-check"], cwd=root,
                            capture_output=True, text=True, env=environment, timeout=900)
    assert result.returncode == 0, result.stdout + result.stderr
    return {path.name.rsplit("-", 1)[0]: path for path in sorted((root / "dist").glob("*.pkl"))}


@pytest.fixture(scope="session")
def synthetic_dir(built, data_cache) -> Path:
    return next(data_cache.glob("synthetic-*"))
