"""The pre-commit hooks a Python user expects, each pinned to a release, and the test workflow runs them."""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

from ruamel.yaml import YAML

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10: tomli is the same parser (the dev extra installs it)
    import tomli as tomllib

from conftest import FIXTURE_SPECS, REPO_ROOT

RELEASE = re.compile(r"^v?\d+\.\d+\.\d+$")


def load(path):
    return YAML(typ="safe").load(path.read_text(encoding="utf-8"))


def hooks() -> dict[str, tuple[dict, dict]]:
    """{hook id: (its repo entry, the hook)} of .pre-commit-config.yaml."""
    config = load(REPO_ROOT / ".pre-commit-config.yaml")
    return {hook["id"]: (repo, hook) for repo in config["repos"] for hook in repo["hooks"]}


def test_the_config_names_ruff_the_spec_schema_actionlint_and_validate():
    found = hooks()
    assert {"ruff-check", "check-jsonschema", "actionlint", "numerai-deploy-validate"} <= set(found)
    assert found["ruff-check"][0]["repo"] == "https://github.com/astral-sh/ruff-pre-commit"
    assert found["actionlint"][0]["repo"] == "https://github.com/rhysd/actionlint"
    for repo, _hook in found.values():
        assert repo["repo"] == "local" or RELEASE.match(str(repo["rev"])), f"{repo['repo']} is not pinned to a release"


def test_the_dev_extra_runs_the_hooks_ruff_release():
    """One ruff release everywhere: `ruff check` in the dev environment finds what the hook finds."""
    rev = str(hooks()["ruff-check"][0]["rev"]).removeprefix("v")
    dev = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"][
        "optional-dependencies"]["dev"]
    assert [item for item in dev if re.match(r"ruff\b", item)] == [f"ruff=={rev}"], "pin ruff to the hook's rev"


def test_the_schema_hook_checks_every_spec_against_the_generated_schema():
    _repo, hook = hooks()["check-jsonschema"]
    assert hook["args"] == ["--schemafile", "models/spec.schema.json"]
    assert (REPO_ROOT / "models" / "spec.schema.json").is_file()
    specs = [f"models/{path.name}" for path in FIXTURE_SPECS.glob("*.yaml")]
    assert specs and all(re.search(hook["files"], spec) for spec in specs)
    assert not re.search(hook["files"], "models/spec.schema.json")


def test_the_local_hook_runs_numerai_deploy_validate_and_passes_on_valid_specs(tmp_path):
    repo, hook = hooks()["numerai-deploy-validate"]
    assert repo["repo"] == "local" and hook["language"] == "system" and hook["pass_filenames"] is False
    assert hook["entry"] == "numerai-deploy validate"
    # As pre-commit runs a system hook: the command found on PATH (this environment's scripts first).
    path = os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])
    for folder in ("runtimes", "datasets"):
        shutil.copytree(REPO_ROOT / folder, tmp_path / folder)
    shutil.copytree(FIXTURE_SPECS, tmp_path / "models")
    result = subprocess.run(shlex.split(hook["entry"]), cwd=tmp_path, capture_output=True, text=True, timeout=120,
                            env={**os.environ, "PATH": path})
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_test_workflow_runs_the_same_hooks():
    steps = load(REPO_ROOT / ".github" / "workflows" / "test.yml")["jobs"]["test"]["steps"]
    commands = " ".join(step.get("run", "") for step in steps)
    assert re.search(r"pre-commit(@[\d.]+)? run --all-files", commands)
