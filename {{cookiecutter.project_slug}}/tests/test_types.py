"""The package's annotations hold: `mypy` ([tool.mypy] of pyproject.toml: strict, on src/) passes, and it
catches what strict mode is for."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from ruamel.yaml import YAML

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10: tomli is the same parser (the dev extra installs it)
    import tomli as tomllib

from conftest import PACKAGE, REPO_ROOT

MYPY = Path(sys.executable).with_name("mypy")


def mypy(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """mypy as a developer runs it in `root` (its pyproject.toml's [tool.mypy]), plain text."""
    environment = {**os.environ, "NO_COLOR": "1", "MYPY_FORCE_COLOR": "0", "TERM": "dumb"}
    return subprocess.run([str(MYPY), *args], cwd=root, capture_output=True, text=True, env=environment,
                          timeout=600)


def config() -> dict:
    return tomllib.loads((REPO_ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["mypy"]


def test_the_configuration_is_strict_on_the_package():
    found = config()
    assert found["strict"] is True and found["files"] == ["src"]
    # Overrides only excuse untyped third-party libraries; none loosens a module of the package.
    overrides = found.get("overrides", [])
    assert overrides, "the untyped libraries are named"
    for override in overrides:
        assert set(override) == {"module", "ignore_missing_imports"}, override
        assert not any(module.startswith(PACKAGE) for module in override["module"]), override


def test_the_package_passes_mypy_strict():
    result = mypy(REPO_ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Success: no issues found" in result.stdout


def test_mypy_catches_an_unannotated_function_and_a_wrong_return(tmp_path):
    root = tmp_path / "repo"
    (root / "src").mkdir(parents=True)
    shutil.copy(REPO_ROOT / "pyproject.toml", root / "pyproject.toml")
    shutil.copytree(REPO_ROOT / "src" / PACKAGE, root / "src" / PACKAGE, ignore=shutil.ignore_patterns("__pycache__"))
    module = root / "src" / PACKAGE / "errors.py"
    module.write_text(module.read_text(encoding="utf-8") + "\n\ndef untyped(value):\n    return value\n\n\n"
                      "def count() -> int:\n    return 'one'\n", encoding="utf-8")
    result = mypy(root, "--cache-dir", str(tmp_path / "cache"), str(module.relative_to(root)))
    assert result.returncode == 1, result.stdout + result.stderr
    assert "[no-untyped-def]" in result.stdout and "[return-value]" in result.stdout, result.stdout


def test_a_commit_runs_it_and_ci_runs_it_once_in_this_suite():
    """The pre-commit hook runs the dev extra's mypy on the whole package; the test workflow's pre-commit
    step skips that hook, because the pipeline workflow runs this suite."""
    config = YAML(typ="safe").load((REPO_ROOT / ".pre-commit-config.yaml").read_text(encoding="utf-8"))
    hook = next(hook for repo in config["repos"] for hook in repo["hooks"] if hook["id"] == MYPY.name)
    assert hook["entry"] == MYPY.name and hook["language"] == "system" and hook["pass_filenames"] is False
    workflows = REPO_ROOT / ".github" / "workflows"
    steps = YAML(typ="safe").load((workflows / "test.yml").read_text(encoding="utf-8"))["jobs"]["test"]["steps"]
    hooks_step = next(step for step in steps if "pre-commit" in step.get("run", ""))
    assert MYPY.name in hooks_step["env"]["SKIP"].split(",")
    suite = YAML(typ="safe").load((workflows / "pipeline.yml").read_text(encoding="utf-8"))["jobs"]["test"]["steps"]
    assert any(step.get("run", "").split()[:1] == ["pytest"] for step in suite)
