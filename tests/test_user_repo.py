"""A baked repository is the user's: its test workflow tests their specs, the slots a change touches and
their own tests, in minutes; the pipeline's own suite runs on fixture specs of its own, elsewhere."""

from __future__ import annotations

import json
import resource
import shutil
import subprocess
import time
from pathlib import Path

import pytest
import yaml

from baking import bake, install, run

WORKFLOWS = Path(".github") / "workflows"
USER_ENTRY_BUDGET = 180  # seconds: the user-facing part of CI on this machine

OTHER_TARGET_SPEC = """\
# yaml-language-server: $schema=spec.schema.json
slot: cyrus_model
runtime: "3.12"
data:
  version: v5.3
  feature_set: small
  target: target_cyrusd_20
  era_step: 4
model:
  type: lightgbm
  params: {n_estimators: 30, num_leaves: 15, max_bin: 5}
deploy:
  enabled: true
"""

CUSTOM_SPEC = """\
# yaml-language-server: $schema=spec.schema.json
slot: mine_model
runtime: "3.12"
data: {version: v5.3, feature_set: small, target: target_ender_20, era_step: 4}
model:
  type: custom
  entry_point: numerai_models.custom.mine:train
  params: {shrink: 0.5}
"""

CUSTOM_MODULE = '''\
"""A model of the user's own: per-feature correlations with the target, shrunk."""

from __future__ import annotations

import numpy as np


class Weights:
    def __init__(self, weights: np.ndarray):
        self.weights = weights

    def predict(self, inputs: np.ndarray) -> np.ndarray:
        return np.asarray(inputs, dtype=np.float64) @ self.weights


def train(frame, features, target, params):
    inputs = frame[features].to_numpy(dtype=np.float64)
    centred = inputs - inputs.mean(axis=0)
    weights = centred.T @ (target - target.mean()) / len(target)
    return Weights(float(params["shrink"]) * weights)
'''

USER_TEST = '''\
import numpy as np
import pandas as pd

from numerai_models.custom.mine import train


def test_mine_follows_the_target():
    frame = pd.DataFrame({"feature_a": [0.0, 1.0, 2.0, 3.0], "feature_b": [1.0, 1.0, 0.0, 0.0]})
    target = np.array([0.0, 0.25, 0.5, 0.75])
    model = train(frame, ["feature_a", "feature_b"], target, {"shrink": 1.0})
    assert np.corrcoef(model.predict(frame.to_numpy()), target)[0, 1] > 0.9
'''


def children_cpu() -> float:
    """CPU seconds of this process's finished children and theirs."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True, text=True).stdout.strip()


def user_entry(repo: Path) -> tuple[str, dict]:
    """The run line and environment of test.yml's step that runs scripts/check_repo.py."""
    steps = yaml.safe_load((repo / WORKFLOWS / "test.yml").read_text())["jobs"]["test"]["steps"]
    [step] = [step for step in steps if "scripts/check_repo.py" in step.get("run", "")]
    return step["run"], step.get("env", {})


@pytest.fixture(scope="module")
def baked(tmp_path_factory):
    repo = bake(tmp_path_factory.mktemp("user-repo"))
    return repo, install(repo)


def test_the_test_workflow_runs_the_user_entry_and_not_the_internal_suite(baked):
    repo, _bin = baked
    test = (repo / WORKFLOWS / "test.yml").read_text()
    assert "pytest" not in [line.split("run:")[-1].strip() for line in test.splitlines()]
    pipeline = yaml.safe_load((repo / WORKFLOWS / "pipeline.yml").read_text())
    on = pipeline[True]  # YAML 1.1 reads the key `on` as True
    assert "workflow_dispatch" in on
    for event in ("push", "pull_request"):
        assert on[event]["paths"] == ["src/numerai_models/**", "!src/numerai_models/custom/**", "tests/**",
                                      "!tests/user/**", "pyproject.toml", ".github/workflows/pipeline.yml"]


def test_the_pipeline_fixtures_are_the_specs_the_template_ships(baked):
    """The internal suite tests the shipped specs through copies: they must stay equal."""
    repo, _bin = baked
    fixtures = repo / "tests" / "fixtures" / "specs"
    shipped = {"lightgbm.yaml": repo / "models" / "my_model.yaml", "ensemble.yaml": repo / "examples" / "ensemble.yaml",
               "custom.yaml": repo / "examples" / "custom.yaml"}
    assert sorted(path.name for path in fixtures.glob("*.yaml")) == sorted(shipped)
    for name, path in shipped.items():
        assert yaml.safe_load((fixtures / name).read_text()) == yaml.safe_load(path.read_text()), name


def test_a_users_own_models_pass_the_test_workflows_entry_in_minutes(baked):
    repo, bin_dir = baked
    first = git(repo, "rev-parse", "HEAD")
    (repo / "models" / "cyrus.yaml").write_text(OTHER_TARGET_SPEC)
    shutil.copy2(repo / "examples" / "ensemble.yaml", repo / "models" / "ensemble.yaml")
    (repo / "models" / "mine.yaml").write_text(CUSTOM_SPEC)
    (repo / "src" / "numerai_models" / "custom" / "mine.py").write_text(CUSTOM_MODULE)
    (repo / "tests" / "user" / "test_mine.py").write_text(USER_TEST)
    git(repo, "add", "-A")
    git(repo, "-c", "user.name=u", "-c", "user.email=u@example.com", "commit", "-q", "-m", "Our models")

    command, env = user_entry(repo)
    assert command == 'python scripts/check_repo.py --since "$BASE"'
    started, cpu_before = time.monotonic(), children_cpu()
    result = run(bin_dir, "python", "scripts/check_repo.py", "--since", first, cwd=repo, check=False, timeout=1200,
                 env={"NUMERAI_DATA_DIR": str(repo.parent / "numerai-data")})
    elapsed, cpu = time.monotonic() - started, children_cpu() - cpu_before
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-6000:]
    # The slots the commit added are built and checked; the shipped one, unchanged, is not.
    assert "$ numerai-deploy build --synthetic cyrus_model example_ensemble mine_model" in output, output[-4000:]
    assert "2 passed" in output  # tests/user: the shipped example's test and the user's own
    # CPU time, which other work on a shared machine does not stretch (about a minute of wall time on an
    # idle 2-core machine; the wall time is in the message).
    assert cpu < USER_ENTRY_BUDGET, f"{cpu:.0f} s of CPU, {elapsed:.0f} s of wall time"
    print(f"user entry: {cpu:.0f} s of CPU, {elapsed:.0f} s of wall time")
    assert set(env) == {"BASE"}


def test_the_baked_readme_opens_with_the_path_to_a_first_green_deploy(baked):
    repo, _bin = baked
    text = (repo / "README.md").read_text()
    first_screen = "\n".join(text.splitlines()[:40])
    steps = ["## From bake to first green deploy", "Quick start", "numer.ai > Models", "deploy: {create: true}",
             "Custom API Keys", "github-setup --dry-run", "gh run watch", "## Quick start (offline)"]
    positions = [first_screen.find(step) for step in steps]
    assert -1 not in positions and positions == sorted(positions), dict(zip(steps, positions, strict=True))
    quick_start = text.split("## Quick start (offline)")[1].split("```")[1]
    catalogue = json.loads((repo / "runtimes" / "catalogue.json").read_text())["runtimes"]
    assert not [entry["tag"] for entry in catalogue if entry["tag"] in quick_start], "no lock's tag in the Quick start"
    words = " ".join(text.split())
    assert "On a self-hosted runner the change stays until the machine reboots" in words
    assert "open pull requests (the health workflow's runtimes refresh) and also approve them" in words
    assert "### What rebuilds a slot" in text and "## Your repository's CI" in text


def test_the_template_readme_says_how_to_bake_before_the_maintainers_bench():
    text = (Path(__file__).resolve().parents[1] / "README.md").read_text()
    headings = [line for line in text.splitlines() if line.startswith("## ")]
    assert headings[0] == "## Bake your own"
    assert "cookiecutter gh:<owner>/numerai-gitops" in text and "`<owner>` is the GitHub user or organisation" in text
    assert text.index("`make bench` measures") > text.index("## What the baked repo does")
