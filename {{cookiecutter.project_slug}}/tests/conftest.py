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
from {{ cookiecutter.package_name }} import logs
from {{ cookiecutter.package_name }}.artifact.manifest import read_manifest
from {{ cookiecutter.package_name }}.datasets import current_version, load_versions

PACKAGE = {{ cookiecutter.package_name }}.__name__
REPO_ROOT = Path(__file__).resolve().parents[1]
# Specs of the pipeline's own tests (copies of what the template ships): never the user's models/ or examples/.
FIXTURE_SPECS = Path(__file__).resolve().parent / "fixtures" / "specs"
# Numerai's dataset versions as datasets/ has them; specs name real columns through these.
VERSIONS = load_versions(REPO_ROOT / "datasets")
CURRENT = current_version(VERSIONS)
# A target of the current version besides the payout target and its alias, for a second model.
OTHER_TARGET = next(name for name in CURRENT.targets if name not in (CURRENT.payout_target, CURRENT.alias_column))


def manifest_dict(pickle_path: Path) -> dict:
    """The manifest beside a pickle, read through the package's reader, as plain JSON data."""
    return read_manifest(pickle_path).model_dump(mode="json")


def write_spec(models: Path, name: str, text: str) -> Path:
    path = models / name
    path.write_text(textwrap.dedent(text).lstrip())
    return path


@pytest.fixture(autouse=True)
def offline(monkeypatch):
    """No test talks to the real Numerai: API calls go to a closed loopback port unless a test points
    them at the stand-in."""
    monkeypatch.setenv("NUMERAI_API_URL", "http://127.0.0.1:9/graphql")
    for name in ("NUMERAI_PUBLIC_ID", "NUMERAI_SECRET_KEY"):
        monkeypatch.delenv(name, raising=False)
    yield
    # Each test's secrets are its own: pieces of an earlier test's would scrub words from a later one's output.
    logs.forget_secrets()


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
        for folder in ("runtimes", "datasets", "facts"):
            if not (root / folder).exists():
                shutil.copytree(REPO_ROOT / folder, root / folder)
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

# (placeholders, not an f-string: this file is a template, where doubled braces would be Jinja)
ENSEMBLE_SPEC = """
    slot: ensemble_model
    runtime: "3.12"
    data: {feature_set: small, era_step: 2}
    model:
      type: ensemble
      members:
        - model: {type: lightgbm, params: {n_estimators: 30, num_leaves: 7, max_bin: 5}}
          target: PAYOUT_TARGET
          weight: 2
        - model: {type: sklearn, estimator: sklearn.linear_model.Ridge, params: {alpha: 5.0}}
          target: OTHER_TARGET
          weight: 1
      layers:
        - members:
            - model: {type: sklearn, estimator: sklearn.linear_model.LinearRegression}
    predict:
      benchmark_inputs: [BENCHMARK]
""".replace("PAYOUT_TARGET", CURRENT.payout_target).replace("OTHER_TARGET", OTHER_TARGET).replace(
    "BENCHMARK", CURRENT.benchmark_columns[0])

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
    """The LightGBM, ensemble and custom specs built and checked once on synthetic data: {slot: pickle path}."""
    root = tmp_path_factory.mktemp("built-repo")
    for folder in ("runtimes", "datasets"):
        shutil.copytree(REPO_ROOT / folder, root / folder)
    (root / "models").mkdir()
    for name, text in (("gbm.yaml", LIGHTGBM_SPEC), ("ensemble.yaml", ENSEMBLE_SPEC), ("custom.yaml", CUSTOM_SPEC)):
        write_spec(root / "models", name, text)
    environment = {**os.environ, "NUMERAI_DATA_DIR": str(data_cache)}
    result = subprocess.run([sys.executable, "-m", PACKAGE, "build", "--synthetic"], cwd=root,
                            capture_output=True, text=True, env=environment, timeout=900)
    assert result.returncode == 0, result.stdout + result.stderr
    return {path.name.rsplit("-", 1)[0]: path for path in sorted((root / "dist").glob("*.pkl"))}


@pytest.fixture(scope="session")
def synthetic_dir(built, data_cache) -> Path:
    return next(data_cache.glob("synthetic-*"))


# -- deploy and status against the Numerai stand-in (tests/standin.py) ----------------------------

STANDIN_PUBLIC_ID = "STANDIN-PUBLIC-ID"  # keys have at least settings.MIN_KEY_LENGTH characters
STANDIN_SECRET_KEY = "s3cret-KEY-that-must-never-show-7f3a9c"
ACCOUNT_SLOTS = ("gbm_model", "ensemble_model", "other_model")


@pytest.fixture
def numerai():
    """A running stand-in for Numerai whose account has ACCOUNT_SLOTS."""
    from standin import NumeraiStandIn

    standin = NumeraiStandIn(models=ACCOUNT_SLOTS, public_id=STANDIN_PUBLIC_ID, secret_key=STANDIN_SECRET_KEY)
    with standin:
        yield standin


@pytest.fixture
def numerai_env(numerai, tmp_path, monkeypatch) -> dict[str, str]:
    """Credentials, the stand-in's URL, fast polls and retries, a step summary file (set in os.environ)."""
    env = {
        "NUMERAI_API_URL": numerai.url,
        "NUMERAI_PUBLIC_ID": STANDIN_PUBLIC_ID,
        "NUMERAI_SECRET_KEY": STANDIN_SECRET_KEY,
        "NUMERAI_POLL_INTERVAL": "0.01",
        "NUMERAI_VALIDATION_TIMEOUT": "5",
        "NUMERAI_REQUEST_TIMEOUT": "2",
        "NUMERAI_RETRY_ATTEMPTS": "4",
        "NUMERAI_RETRY_BACKOFF": "0.01",
        "GITHUB_STEP_SUMMARY": str(tmp_path / "step-summary.md"),
    }
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return env


@pytest.fixture
def deploy_repo(make_repo, built) -> Path:
    """A repository with the gbm and ensemble specs and their built pickles copied into dist/."""
    root = make_repo({"gbm.yaml": LIGHTGBM_SPEC, "ensemble.yaml": ENSEMBLE_SPEC})
    (root / "dist").mkdir()
    for slot in ("gbm_model", "ensemble_model"):
        for path in (built[slot], built[slot].with_suffix(".json")):
            shutil.copy2(path, root / "dist" / path.name)
    return root


@pytest.fixture
def numerai_cli(numerai_env, capsys):
    """Run numerai-deploy in this process (one import for many runs): (exit code, stdout, stderr).

    Every run also proves that the secret key appears in neither stream.
    """
    import importlib
    from types import SimpleNamespace

    main = importlib.import_module(f"{PACKAGE}.main").main

    def run(*args: str) -> SimpleNamespace:
        code = main([str(arg) for arg in args])
        captured = capsys.readouterr()
        assert STANDIN_SECRET_KEY not in captured.out + captured.err
        return SimpleNamespace(code=code, out=captured.out, err=captured.err)

    return run
